#include "capi/chat_diff.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <map>
#include <vector>

namespace whisp::capi {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

struct Item {
  std::string key;
  std::string json;  // the message, serialized compactly
};

std::string serialize(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  v.Accept(w);
  return buf.GetString();
}

std::string key_of(const rapidjson::Value& m) {
  auto local = m.FindMember("localId");
  if (local != m.MemberEnd() && local->value.IsString()) return std::string("L:") + local->value.GetString();
  auto id = m.FindMember("messageId");
  if (id != m.MemberEnd() && id->value.IsString()) return std::string("M:") + id->value.GetString();
  return {};
}

/// The chat object of a snapshot, or null when absent.
Result<const rapidjson::Value*> find_chat(const rapidjson::Document& d, const std::string& chat_id) {
  if (!d.IsObject() || !d.HasMember("chats") || !d["chats"].IsArray()) {
    return Error{ErrorCode::malformed_json, "snapshot: \"chats\" must be an array"};
  }
  for (const auto& c : d["chats"].GetArray()) {
    if (c.IsObject() && c.HasMember("chatId") && c["chatId"].IsString() &&
        chat_id == c["chatId"].GetString()) {
      return &c;
    }
  }
  return static_cast<const rapidjson::Value*>(nullptr);
}

Result<std::vector<Item>> items_of(const rapidjson::Value* chat) {
  std::vector<Item> out;
  if (chat == nullptr) return out;
  auto ms = chat->FindMember("messages");
  if (ms == chat->MemberEnd() || !ms->value.IsArray()) {
    return Error{ErrorCode::malformed_json, "snapshot: chat.messages must be an array"};
  }
  for (const auto& m : ms->value.GetArray()) {
    if (!m.IsObject()) return Error{ErrorCode::malformed_json, "snapshot: a message is not an object"};
    std::string key = key_of(m);
    if (key.empty()) return Error{ErrorCode::missing_field, "snapshot: a message has no id"};
    out.push_back({std::move(key), serialize(m)});
  }
  return out;
}

/// Indices (into `seq`) of a longest strictly increasing subsequence.
std::vector<std::size_t> longest_increasing(const std::vector<std::size_t>& seq) {
  std::vector<std::size_t> tails, prev(seq.size(), SIZE_MAX);
  for (std::size_t i = 0; i < seq.size(); ++i) {
    auto it = std::lower_bound(tails.begin(), tails.end(), i,
                               [&](std::size_t a, std::size_t) { return seq[a] < seq[i]; });
    if (it != tails.begin()) prev[i] = *(it - 1);
    if (it == tails.end()) {
      tails.push_back(i);
    } else {
      *it = i;
    }
  }
  std::vector<std::size_t> out;
  for (std::size_t i = tails.empty() ? SIZE_MAX : tails.back(); i != SIZE_MAX; i = prev[i]) out.push_back(i);
  std::reverse(out.begin(), out.end());
  return out;
}

void write_entry(Writer& w, std::size_t index, const Item& item) {
  w.StartObject();
  w.Key("index");
  w.Uint64(index);
  w.Key("key");
  w.String(item.key.c_str());
  w.Key("message");
  w.RawValue(item.json.data(), item.json.size(), rapidjson::kObjectType);
  w.EndObject();
}

}  // namespace

Result<std::string> chat_diff(std::string_view before, std::string_view after,
                              const std::string& chat_id, std::int64_t version) {
  rapidjson::Document old_doc, new_doc;
  std::vector<Item> old_items;
  if (!before.empty()) {
    old_doc.Parse(before.data(), before.size());
    if (old_doc.HasParseError()) return Error{ErrorCode::malformed_json, "previous snapshot: not JSON"};
    auto chat = find_chat(old_doc, chat_id);
    if (!chat) return chat.error();
    auto items = items_of(*chat);
    if (!items) return items.error();
    old_items = std::move(*items);
  }
  new_doc.Parse(after.data(), after.size());
  if (new_doc.HasParseError()) return Error{ErrorCode::malformed_json, "snapshot: not JSON"};
  auto new_chat = find_chat(new_doc, chat_id);
  if (!new_chat) return new_chat.error();
  auto new_items_r = items_of(*new_chat);
  if (!new_items_r) return new_items_r.error();
  const std::vector<Item>& new_items = *new_items_r;

  std::map<std::string, std::size_t> new_index;
  for (std::size_t i = 0; i < new_items.size(); ++i) new_index[new_items[i].key] = i;

  // Items kept in place: the longest run of old items whose new positions keep their order.
  std::vector<std::size_t> kept_old, kept_new_pos;
  for (std::size_t i = 0; i < old_items.size(); ++i) {
    auto it = new_index.find(old_items[i].key);
    if (it != new_index.end()) {
      kept_old.push_back(i);
      kept_new_pos.push_back(it->second);
    }
  }
  std::vector<bool> stays_old(old_items.size(), false), stays_new(new_items.size(), false);
  for (std::size_t k : longest_increasing(kept_new_pos)) {
    stays_old[kept_old[k]] = true;
    stays_new[kept_new_pos[k]] = true;
  }

  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("chatId");
  w.String(chat_id.c_str());
  w.Key("version");
  w.Int64(version);
  w.Key("removed");
  w.StartArray();
  for (std::size_t i = 0; i < old_items.size(); ++i) {
    if (!stays_old[i]) w.String(old_items[i].key.c_str());
  }
  w.EndArray();
  w.Key("inserted");
  w.StartArray();
  for (std::size_t i = 0; i < new_items.size(); ++i) {
    if (!stays_new[i]) write_entry(w, i, new_items[i]);
  }
  w.EndArray();
  w.Key("updated");
  w.StartArray();
  for (std::size_t i = 0; i < old_items.size(); ++i) {
    if (!stays_old[i]) continue;
    std::size_t j = new_index[old_items[i].key];
    if (old_items[i].json != new_items[j].json) write_entry(w, j, new_items[j]);
  }
  w.EndArray();
  w.Key("chat");
  if (*new_chat == nullptr) {
    w.Null();
  } else {
    w.StartObject();
    for (const char* k : {"name", "unreadCount", "members", "typing"}) {
      auto it = (*new_chat)->FindMember(k);
      if (it == (*new_chat)->MemberEnd()) continue;
      w.Key(k);
      it->value.Accept(w);
    }
    w.EndObject();
  }
  w.EndObject();
  return std::string(buf.GetString());
}

Result<std::string> apply_chat_diff(std::string_view messages_json, std::string_view diff_json) {
  rapidjson::Document list, diff;
  list.Parse(messages_json.data(), messages_json.size());
  diff.Parse(diff_json.data(), diff_json.size());
  if (list.HasParseError() || !list.IsArray() || diff.HasParseError() || !diff.IsObject()) {
    return Error{ErrorCode::malformed_json, "apply_chat_diff: bad input"};
  }
  std::vector<Item> items;
  for (const auto& m : list.GetArray()) items.push_back({key_of(m), serialize(m)});
  for (const auto& k : diff["removed"].GetArray()) {
    std::string key = k.GetString();
    items.erase(std::remove_if(items.begin(), items.end(), [&](const Item& i) { return i.key == key; }),
                items.end());
  }
  for (const auto& e : diff["inserted"].GetArray()) {
    std::size_t index = e["index"].GetUint64();
    if (index > items.size()) return Error{ErrorCode::invalid_value, "inserted index out of range"};
    items.insert(items.begin() + static_cast<std::ptrdiff_t>(index),
                 Item{e["key"].GetString(), serialize(e["message"])});
  }
  for (const auto& e : diff["updated"].GetArray()) {
    std::size_t index = e["index"].GetUint64();
    if (index >= items.size() || items[index].key != e["key"].GetString()) {
      return Error{ErrorCode::invalid_value, "updated item not at its index"};
    }
    items[index].json = serialize(e["message"]);
  }
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i].json;
  return out + "]";
}

}  // namespace whisp::capi
