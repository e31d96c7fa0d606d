#include "store/snapshot_diff.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace whisp::store {
namespace {

// The keys of a view's messages, duplicates made unique by a "#n" suffix (the n-th repeat).
std::vector<std::string> keys_of(const ChatView& c) {
  std::vector<std::string> keys;
  keys.reserve(c.messages.size());
  std::unordered_map<std::string, int> seen;
  for (const auto& m : c.messages) {
    auto key = item_key(m);
    int n = seen[key]++;
    if (n > 0) key += "#" + std::to_string(n);
    keys.push_back(std::move(key));
  }
  return keys;
}

// Positions (into `seq`) of one longest strictly increasing subsequence; O(n log n).
std::vector<std::size_t> longest_increasing(const std::vector<std::size_t>& seq) {
  std::vector<std::size_t> tails;         // index into seq of the smallest tail per length
  std::vector<std::ptrdiff_t> parent(seq.size(), -1);
  for (std::size_t i = 0; i < seq.size(); ++i) {
    auto it = std::lower_bound(tails.begin(), tails.end(), seq[i],
                               [&](std::size_t t, std::size_t v) { return seq[t] < v; });
    if (it != tails.begin()) parent[i] = static_cast<std::ptrdiff_t>(*(it - 1));
    if (it == tails.end()) {
      tails.push_back(i);
    } else {
      *it = i;
    }
  }
  std::vector<std::size_t> out;
  if (tails.empty()) return out;
  for (auto i = static_cast<std::ptrdiff_t>(tails.back()); i >= 0; i = parent[i]) {
    out.push_back(static_cast<std::size_t>(i));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

bool same_reply(const std::optional<ReplyRef>& a, const std::optional<ReplyRef>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->message_id == b->message_id && a->sender_id == b->sender_id && a->text == b->text;
}

bool same_reaction(const ReactionView& a, const ReactionView& b) {
  return a.reaction_id == b.reaction_id && a.local_id == b.local_id &&
         a.sender_id == b.sender_id && a.emoji == b.emoji;
}

template <class T, class Eq>
bool same_list(const std::vector<T>& a, const std::vector<T>& b, Eq eq) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!eq(a[i], b[i])) return false;
  }
  return true;
}

Error misfit(const std::string& what) {
  return Error{ErrorCode::invalid_argument, "diff: " + what};
}

}  // namespace

std::string item_key(const MessageView& m) {
  if (m.local_id) return *m.local_id;
  if (m.message_id) return *m.message_id;
  return m.sender_id + "@" + m.time_stamp;  // neither id: not expected from the store
}

bool same_message(const MessageView& a, const MessageView& b) {
  return a.message_id == b.message_id && a.local_id == b.local_id && a.sender_id == b.sender_id &&
         a.text == b.text && a.time_stamp == b.time_stamp && a.time_micros == b.time_micros &&
         a.edited == b.edited && a.edited_at == b.edited_at && same_reply(a.reply_to, b.reply_to) &&
         same_list(a.reactions, b.reactions, same_reaction) && a.status == b.status &&
         a.error == b.error;
}

bool same_member(const MemberView& a, const MemberView& b) {
  return a.user_id == b.user_id && a.username == b.username &&
         a.last_read_message_id == b.last_read_message_id;
}

bool same_chat(const ChatView& a, const ChatView& b) {
  return a.chat_id == b.chat_id && a.name == b.name && a.unread_count == b.unread_count &&
         same_list(a.members, b.members, same_member) &&
         same_list(a.messages, b.messages, same_message);
}

ChatDiff diff_chats(const ChatView& before, const ChatView& after) {
  ChatDiff d;
  d.chat_id = after.chat_id;
  if (before.name != after.name) {
    d.name_changed = true;
    d.name = after.name;
  }
  if (before.unread_count != after.unread_count) d.unread_count = after.unread_count;
  if (!same_list(before.members, after.members, same_member)) {
    d.members_changed = true;
    d.members = after.members;
  }

  const auto old_keys = keys_of(before);
  const auto new_keys = keys_of(after);
  std::unordered_map<std::string, std::size_t> old_index;
  old_index.reserve(old_keys.size());
  for (std::size_t i = 0; i < old_keys.size(); ++i) old_index.emplace(old_keys[i], i);
  std::unordered_set<std::string> in_new(new_keys.begin(), new_keys.end());
  for (std::size_t i = 0; i < old_keys.size(); ++i) {
    if (!in_new.count(old_keys[i])) d.removed.push_back(old_keys[i]);
  }

  // Messages in both views, in new order: (new index, old index).
  std::vector<std::size_t> common_new, common_old;
  for (std::size_t j = 0; j < new_keys.size(); ++j) {
    auto it = old_index.find(new_keys[j]);
    if (it == old_index.end()) {
      d.inserted.push_back({j, new_keys[j], after.messages[j]});
    } else {
      common_new.push_back(j);
      common_old.push_back(it->second);
    }
  }
  std::vector<bool> kept(common_old.size(), false);
  for (auto i : longest_increasing(common_old)) kept[i] = true;
  for (std::size_t c = 0; c < common_new.size(); ++c) {
    const auto& now = after.messages[common_new[c]];
    if (!kept[c] || !same_message(before.messages[common_old[c]], now)) {
      d.updated.push_back({common_new[c], new_keys[common_new[c]], !kept[c], now});
    }
  }
  return d;
}

Result<ChatView> apply_diff(const ChatView& before, const ChatDiff& diff) {
  ChatView out;
  out.chat_id = diff.chat_id.empty() ? before.chat_id : diff.chat_id;
  out.name = diff.name_changed ? diff.name : before.name;
  out.unread_count = diff.unread_count.value_or(before.unread_count);
  out.members = diff.members_changed ? diff.members : before.members;

  const auto old_keys = keys_of(before);
  std::unordered_map<std::string, std::size_t> old_index;
  for (std::size_t i = 0; i < old_keys.size(); ++i) old_index.emplace(old_keys[i], i);
  std::vector<bool> dropped(old_keys.size(), false);
  for (const auto& key : diff.removed) {
    auto it = old_index.find(key);
    if (it == old_index.end()) return misfit("removed key " + key + " is not in the view");
    dropped[it->second] = true;
  }
  // (index, key, message) placed in ascending index order: inserts and moved updates.
  struct Placement {
    std::size_t index;
    const std::string* key;
    const MessageView* message;
  };
  std::vector<Placement> placements;
  placements.reserve(diff.inserted.size() + diff.updated.size());
  for (const auto& ins : diff.inserted) {
    if (old_index.count(ins.key)) return misfit("inserted key " + ins.key + " is already there");
    placements.push_back({ins.index, &ins.key, &ins.message});
  }
  for (const auto& up : diff.updated) {
    auto it = old_index.find(up.key);
    if (it == old_index.end() || dropped[it->second]) {
      return misfit("updated key " + up.key + " is not in the view");
    }
    if (up.moved) {
      dropped[it->second] = true;
      placements.push_back({up.index, &up.key, &up.message});
    }
  }
  std::sort(placements.begin(), placements.end(),
            [](const Placement& a, const Placement& b) { return a.index < b.index; });

  std::vector<std::string> keys;
  keys.reserve(old_keys.size() + diff.inserted.size());
  for (std::size_t i = 0; i < old_keys.size(); ++i) {
    if (dropped[i]) continue;
    keys.push_back(old_keys[i]);
    out.messages.push_back(before.messages[i]);
  }
  for (const auto& p : placements) {
    if (p.index > out.messages.size()) {
      return misfit("index " + std::to_string(p.index) + " of " + *p.key + " is past the end");
    }
    keys.insert(keys.begin() + static_cast<std::ptrdiff_t>(p.index), *p.key);
    out.messages.insert(out.messages.begin() + static_cast<std::ptrdiff_t>(p.index), *p.message);
  }
  for (const auto& up : diff.updated) {
    if (up.moved) continue;
    if (up.index >= keys.size() || keys[up.index] != up.key) {
      return misfit("updated key " + up.key + " is not at index " + std::to_string(up.index));
    }
    out.messages[up.index] = up.message;
  }
  return out;
}

std::string to_json(const ChatDiff& d, const JsonOptions& options) {
  using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
  rapidjson::StringBuffer b;
  Writer w(b);
  auto str = [&](const std::string& s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  auto opt_str = [&](const std::optional<std::string>& s) {
    if (s) {
      str(*s);
    } else {
      w.Null();
    }
  };
  auto message = [&](const MessageView& m) {
    auto json = to_json(m, options);
    w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  };
  w.StartObject();
  w.Key("chatId"); str(d.chat_id);
  w.Key("fromSeq"); w.Int64(d.from_seq);
  w.Key("toSeq"); w.Int64(d.to_seq);
  if (d.name_changed) {
    w.Key("name"); opt_str(d.name);
  }
  if (d.unread_count) {
    w.Key("unreadCount"); w.Int(*d.unread_count);
  }
  if (d.members_changed) {
    w.Key("members");
    w.StartArray();
    for (const auto& m : d.members) {
      w.StartObject();
      w.Key("userId"); str(m.user_id);
      w.Key("username"); opt_str(m.username);
      w.Key("lastReadMessageId"); opt_str(m.last_read_message_id);
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("removed");
  w.StartArray();
  for (const auto& k : d.removed) str(k);
  w.EndArray();
  w.Key("inserted");
  w.StartArray();
  for (const auto& i : d.inserted) {
    w.StartObject();
    w.Key("index"); w.Uint64(i.index);
    w.Key("key"); str(i.key);
    w.Key("message"); message(i.message);
    w.EndObject();
  }
  w.EndArray();
  w.Key("updated");
  w.StartArray();
  for (const auto& u : d.updated) {
    w.StartObject();
    w.Key("index"); w.Uint64(u.index);
    w.Key("key"); str(u.key);
    w.Key("moved"); w.Bool(u.moved);
    w.Key("message"); message(u.message);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(b.GetString(), b.GetSize());
}

}  // namespace whisp::store
