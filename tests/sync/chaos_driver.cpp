#include "chaos_driver.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace whisp::synctest {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A message's text root: edits append " /eN" to it, so the root names the message for good.
std::string root_of(const std::string& text) { return text.substr(0, text.find(" /e")); }

std::string str(const rapidjson::Value& v, const char* key) {
  return v.HasMember(key) && v[key].IsString() ? v[key].GetString() : "";
}

// `"messageId":"…"` for a confirmed message, `"localId":"…"` for an own pending one.
std::string ref_of(const rapidjson::Value& m) {
  if (m["messageId"].IsString()) return R"("messageId":)" + js(m["messageId"].GetString());
  return R"("localId":)" + js(m["localId"].GetString());
}

}  // namespace

ChaosDriver::ChaosDriver(const devserver::DevServer& server, const test::TempDir& dir,
                         std::uint64_t seed)
    : server_(server), dir_(dir), rng_(seed) {}

ChaosDriver::~ChaosDriver() = default;

RpcReply ChaosDriver::call(std::size_t c, const std::string& method, const std::string& params) {
  auto r = clients_[c].rpc->call(method, params, std::chrono::seconds(30));
  if (r.timed_out) {
    problems_.push_back(clients_[c].name + ": " + method + " " + params + ": " + r.message);
  }
  return r;
}

void ChaosDriver::start_clients(const std::vector<std::string>& usernames) {
  for (const auto& name : usernames) {
    Client c;
    c.name = name;
    auto options = rpc_options(server_, name, dir_);
    options.log_level = "debug";  // a failure prints the tail: the last delivery decisions
    c.rpc = std::make_unique<RpcProcess>(std::move(options));
    c.rest = std::make_unique<RestUser>(rest_user(server_, name));
    c.user_id = c.rest->user_id();
    clients_.push_back(std::move(c));
  }
  for (auto& c : clients_) {
    auto idle = c.rpc->must("waitIdle", R"({"timeoutMs":30000})", std::chrono::seconds(35));
    if (!idle["idle"].GetBool()) throw std::runtime_error(c.name + " never became idle");
  }
}

std::string ChaosDriver::next_name(const char* prefix) {
  return prefix + std::to_string(++counter_);
}

bool ChaosDriver::poisoned(std::size_t client, const std::string& chat) const {
  return deleted_chats_.count(chat) || removed_.count({clients_[client].user_id, chat});
}

void ChaosDriver::run(std::chrono::seconds duration, double rate) {
  const auto interval = milliseconds(static_cast<int>(1000 / rate));
  const auto end = Clock::now() + duration;
  auto next = Clock::now();
  while (Clock::now() < end && problems_.empty()) {
    step();
    next += interval;
    // Pacing: wait for the next slot, waking on client output (no fixed sleep).
    while (Clock::now() < next) {
      clients_[0].rpc->wait_change(std::chrono::duration_cast<milliseconds>(next - Clock::now()));
    }
  }
}

void ChaosDriver::step() {
  const auto now = Clock::now();
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    if (!clients_[i].online && now >= clients_[i].online_at) {
      call(i, "goOnline", "{}");
      clients_[i].online = true;
      ++done_["goOnline"];
    }
  }
  std::size_t c = std::uniform_int_distribution<std::size_t>(0, clients_.size() - 1)(rng_);
  auto& client = clients_[c];
  if (client.online && std::uniform_real_distribution<>(0, 1)(rng_) < 0.03) {
    call(c, "goOffline", "{}");
    client.online = false;
    client.online_at = now + milliseconds(std::uniform_int_distribution<>(300, 3000)(rng_));
    ++done_["goOffline"];
    return;
  }
  auto snap = call(c, "snapshot", "{}");
  if (!snap.ok) return;
  rapidjson::Document doc;
  doc.Parse(snap.result.c_str());
  const auto& chats = doc["chats"];
  if (chats.Empty()) {
    if (client.online) rest_action(c, rapidjson::Value(rapidjson::kNullType), 0);
    return;
  }
  act(c, chats[std::uniform_int_distribution<rapidjson::SizeType>(0, chats.Size() - 1)(rng_)]);
}

void ChaosDriver::act(std::size_t c, const rapidjson::Value& chat) {
  auto& client = clients_[c];
  const std::string chat_id = chat["chatId"].GetString();
  const auto& all = chat["messages"];
  std::vector<const rapidjson::Value*> recent;  // the newest 20: backfill re-reads the newest page
  for (rapidjson::SizeType i = all.Size() > 20 ? all.Size() - 20 : 0; i < all.Size(); ++i) {
    if (str(all[i], "status") != "failed") recent.push_back(&all[i]);
  }
  auto pick = [&](auto pred) -> const rapidjson::Value* {
    std::vector<const rapidjson::Value*> fit;
    for (const auto* m : recent) {
      if (pred(*m)) fit.push_back(m);
    }
    if (fit.empty()) return nullptr;
    return fit[std::uniform_int_distribution<std::size_t>(0, fit.size() - 1)(rng_)];
  };
  auto own = [&](const rapidjson::Value& m) { return str(m, "senderId") == client.user_id; };
  const std::string in_chat = R"({"chatId":)" + js(chat_id);
  // Weights: send 30, reply 8, edit 8, delete 4, react 12, unreact 5, read 6, typing 3,
  // loadOlder 1, REST calls 5 (create, add, remove, rename, delete chat).
  static const std::vector<int> weights = {30, 8, 8, 4, 12, 5, 6, 3, 1, 5};
  int kind = std::discrete_distribution<int>(weights.begin(), weights.end())(rng_);
  switch (kind) {
    case 0: {
      auto text = next_name("m");
      auto r = call(c, "sendMessage", in_chat + R"(,"text":)" + js(text) + "}");
      if (!r.ok) return;
      rapidjson::Document d;
      d.Parse(r.result.c_str());
      sent_[d["localId"].GetString()] = Sent{c, chat_id, text, "", false};
      ++done_["sendMessage"];
      return;
    }
    case 1: {
      const auto* parent = pick([](const rapidjson::Value&) { return true; });
      if (!parent) return;
      auto text = next_name("r");
      auto r = call(c, "reply", in_chat + "," + ref_of(*parent) + R"(,"text":)" + js(text) + "}");
      if (!r.ok) return;
      rapidjson::Document d;
      d.Parse(r.result.c_str());
      sent_[d["localId"].GetString()] = Sent{c, chat_id, text, root_of(str(*parent, "text")), true};
      ++done_["reply"];
      return;
    }
    case 2: {
      const auto* m = pick(own);
      if (!m) return;
      auto text = root_of(str(*m, "text")) + " /e" + std::to_string(++counter_);
      if (call(c, "editMessage", in_chat + "," + ref_of(*m) + R"(,"text":)" + js(text) + "}").ok) {
        ++done_["editMessage"];
      }
      return;
    }
    case 3: {
      const auto* m = pick(own);
      if (!m) return;
      deleted_roots_.emplace(root_of(str(*m, "text")), c);
      if (call(c, "deleteMessage", in_chat + "," + ref_of(*m) + "}").ok) ++done_["deleteMessage"];
      return;
    }
    case 4: {
      const auto* m = pick([](const rapidjson::Value&) { return true; });
      if (!m) return;
      auto emoji = next_name("x");
      auto r = call(c, "react", in_chat + "," + ref_of(*m) + R"(,"emoji":)" + js(emoji) + "}");
      if (!r.ok) return;
      rapidjson::Document d;
      d.Parse(r.result.c_str());
      reacted_[d["localId"].GetString()] = Reacted{c, chat_id, emoji, root_of(str(*m, "text"))};
      ++done_["react"];
      return;
    }
    case 5: {
      for (const auto* m : recent) {
        for (const auto& r : (*m)["reactions"].GetArray()) {
          if (str(r, "senderId") != client.user_id || !r["reactionId"].IsString()) continue;
          unreacted_.insert(str(r, "emoji"));
          if (call(c, "unreact", in_chat + R"(,"reactionId":)" + js(r["reactionId"].GetString()) + "}").ok) {
            ++done_["unreact"];
          }
          return;
        }
      }
      return;
    }
    case 6: {
      const auto* m = pick([&](const rapidjson::Value& m) { return m["messageId"].IsString() && !own(m); });
      if (!m) return;
      if (call(c, "markRead", in_chat + R"(,"messageId":)" + js((*m)["messageId"].GetString()) + "}").ok) {
        ++done_["markRead"];
      }
      return;
    }
    case 7:
      if (call(c, "typing", in_chat + "}").ok) ++done_["typing"];
      return;
    case 8:
      if (call(c, "loadOlder", in_chat + R"(,"count":20})").ok) ++done_["loadOlder"];
      return;
    default:
      if (client.online) {
        rest_action(c, chat, std::uniform_int_distribution<>(0, 4)(rng_));
      }
      return;
  }
}

// REST passthroughs, only while the client is online: 0 create, 1 add, 2 remove, 3 rename,
// 4 delete (only chats the client created during the run).
void ChaosDriver::rest_action(std::size_t c, const rapidjson::Value& chat, int kind) {
  auto& client = clients_[c];
  std::vector<std::size_t> members, others;
  if (chat.IsObject()) {
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      bool member = false;
      for (const auto& m : chat["members"].GetArray()) member |= str(m, "userId") == clients_[i].user_id;
      (member ? members : others).push_back(i);
    }
  }
  const std::string chat_id = chat.IsObject() ? chat["chatId"].GetString() : "";
  if (kind == 0 || !chat.IsObject()) {
    std::string users = js(client.name);
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      if (i != c && std::uniform_int_distribution<>(0, 1)(rng_)) users += "," + js(clients_[i].name);
    }
    auto r = call(c, "createChat", R"({"chatName":)" + js(next_name("chat")) + R"(,"userNames":[)" + users + "]}");
    if (!r.ok) return;
    rapidjson::Document d;
    d.Parse(r.result.c_str());
    if (d.IsObject() && d.HasMember("chatId")) created_by_[d["chatId"].GetString()] = c;
    ++done_["createChat"];
  } else if (kind == 1) {
    if (others.empty()) return;
    auto who = others[std::uniform_int_distribution<std::size_t>(0, others.size() - 1)(rng_)];
    if (call(c, "addUser", R"({"chatId":)" + js(chat_id) + R"(,"newUsername":)" + js(clients_[who].name) + "}").ok) {
      ++done_["addUser"];
    }
  } else if (kind == 2) {
    members.erase(std::remove(members.begin(), members.end(), c), members.end());
    if (members.empty() || std::uniform_int_distribution<>(0, 2)(rng_) != 0) return;  // rarer
    auto who = members[std::uniform_int_distribution<std::size_t>(0, members.size() - 1)(rng_)];
    removed_.insert({clients_[who].user_id, chat_id});  // poisons what they do there from now
    if (call(c, "removeUser", R"({"chatId":)" + js(chat_id) + R"(,"removeUser":)" + js(clients_[who].user_id) + "}").ok) {
      ++done_["removeUser"];
    }
  } else if (kind == 3) {
    if (call(c, "renameChat", R"({"chatId":)" + js(chat_id) + R"(,"newChatName":)" + js(next_name("name")) + "}").ok) {
      ++done_["renameChat"];
    }
  } else {
    auto it = created_by_.find(chat_id);
    if (it == created_by_.end() || it->second != c || std::uniform_int_distribution<>(0, 3)(rng_)) return;
    deleted_chats_.insert(chat_id);
    if (call(c, "deleteChat", R"({"chatId":)" + js(chat_id) + "}").ok) ++done_["deleteChat"];
  }
}

std::string ChaosDriver::settle(std::chrono::seconds timeout) {
  std::ostringstream out;
  for (const auto& p : problems_) out << p << "\n";
  const auto deadline = Clock::now() + timeout;
  auto left = [&] {
    return std::max<long long>(1000, std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count());
  };
  // A fresh connection for everyone: a rename has no realtime event (PROTOCOL.md section 2), so
  // an engine that stayed connected learns a name only from the getChats of its next sync pass
  // (see the issue-6 report: the engine has no periodic getChats).
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    if (!clients_[i].online) {
      call(i, "goOnline", "{}");  // offline until now: its next pass lists the chats anyway
    } else if (!clients_[i].rpc->reconnect(milliseconds(15000))) {
      out << clients_[i].name << ": goOffline/goOnline did not go through\n";
    }
    clients_[i].online = true;
  }
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    auto r = clients_[i].rpc->call("waitIdle", "{\"timeoutMs\":" + std::to_string(left()) + "}",
                                   milliseconds(left() + 5000));
    if (!r.ok || r.result.find("true") == std::string::npos) {
      auto snap = clients_[i].rpc->call("snapshot");
      Unconfirmed u;
      (void)view_of_snapshot(snap.result, &u);
      out << clients_[i].name << " is not idle (" << (r.ok ? r.result : r.message) << ")\n"
          << describe_unconfirmed(u) << "stderr:\n" << clients_[i].rpc->stderr_text() << "\n";
    }
  }
  // The whole history of every chat, so that the comparison with the server is complete.
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    auto snap = clients_[i].rpc->must("snapshot");
    for (const auto& chat : snap["chats"].GetArray()) {
      for (int round = 0; round < 50; ++round) {
        auto r = clients_[i].rpc->call("loadOlder", R"({"chatId":)" + js(chat["chatId"].GetString()) + R"(,"count":500})");
        if (!r.ok) {
          out << clients_[i].name << ": loadOlder: " << r.raw << r.message << "\n";
          break;
        }
        if (r.result.find("\"loaded\":0") != std::string::npos) break;
      }
    }
  }
  return out.str();
}

std::string ChaosDriver::converge(std::chrono::seconds timeout) {
  std::vector<Probe> probes;
  for (auto& c : clients_) probes.push_back(probe_of(c.name, *c.rpc, *c.rest));
  return synctest::converge(probes, timeout);
}

// What a client's log says of one action, and of its chat's connections and cut verdicts.
std::string ChaosDriver::trace(std::size_t client, const std::string& chat,
                               const std::string& local) const {
  const auto& rpc = *clients_[client].rpc;
  return rpc.stderr_lines_with(local) + "  its chat's connection history:\n" +
         rpc.stderr_lines_with("chat " + chat + ": o", 30) + "  its chat's cut verdicts:\n" +
         rpc.stderr_lines_with("chat " + chat + ": cut judged", 30);
}

// A root that may rightly be missing on the server: it was deleted, or it is a reply whose parent
// may be missing (the reply is refused, so an action aimed at it fails too).
bool ChaosDriver::doomed(const std::string& root) const {
  if (deleted_roots_.count(root)) return true;
  for (const auto& [local, s] : sent_) {
    if (s.root == root) return s.reply && doomed(s.parent_root);
  }
  return false;
}

std::string ChaosDriver::duplicates_and_losses() {
  std::ostringstream out;
  // The server: (chat, root) -> count, emoji -> count, over the histories of all users.
  std::map<std::pair<std::string, std::string>, int> roots;
  std::map<std::string, int> emojis;
  std::set<std::string> seen_chats;
  for (auto& c : clients_) {
    auto history = c.rest->fetch_history();
    if (!history.ok()) return c.name + ": " + history.error().describe();
    for (const auto& [chat, msgs] : *history) {
      if (!seen_chats.insert(chat).second) continue;
      for (const auto& m : msgs) {
        ++roots[{chat, root_of(m.text)}];
        for (const auto& r : m.reactions) ++emojis[r.emoji];
      }
    }
  }
  for (const auto& [key, n] : roots) {
    if (n > 1) out << "duplicate on the server: \"" << key.second << "\" x" << n << " in " << key.first << "\n";
  }
  for (const auto& [emoji, n] : emojis) {
    if (n > 1) out << "duplicate reaction on the server: " << emoji << " x" << n << "\n";
  }
  // Each client's own items, from its final snapshot.
  std::vector<rapidjson::Document> snaps(clients_.size());
  for (std::size_t i = 0; i < clients_.size(); ++i) snaps[i] = clients_[i].rpc->must("snapshot");
  for (const auto& [local, s] : sent_) {
    const auto* chat = test::find_chat(snaps[s.client], s.chat);
    const rapidjson::Value* mine = nullptr;
    if (chat) {
      for (const auto& m : (*chat)["messages"].GetArray()) {
        if (str(m, "localId") == local) mine = &m;
      }
    }
    int on_server = roots.count({s.chat, s.root}) ? roots[{s.chat, s.root}] : 0;
    bool legit = poisoned(s.client, s.chat) || (s.reply && doomed(s.parent_root));
    bool deleted = deleted_roots_.count(s.root) > 0;
    std::string who = clients_[s.client].name + " " + (s.reply ? "reply " : "message ") + s.root + " (" + local + ")";
    if (!chat) {
      if (!poisoned(s.client, s.chat)) out << "lost: " << who << ": its chat vanished from the snapshot\n";
    } else if (!mine) {
      if (!deleted && !legit) out << "lost: " << who << ": not in the snapshot, never deleted\n";
    } else if (str(*mine, "status") == "delivered") {
      if (on_server != 1 && !deleted && !poisoned(s.client, s.chat)) {
        out << "delivered but " << on_server << "x on the server: " << who << "\n";
      }
    } else if (str(*mine, "status") == "failed") {
      if (!legit && !deleted) {
        out << "failed without a poison: " << who << ": " << str(*mine, "error") << "\n"
            << trace(s.client, s.chat, local);
      }
      if (str(*mine, "error").empty()) out << "failed without a reason: " << who << "\n";
      if (on_server > 0 && !deleted) {
        out << "failed yet on the server: " << who << ": " << str(*mine, "error") << "\n"
            << trace(s.client, s.chat, local);
      }
    } else {
      out << "still " << str(*mine, "status") << " after waitIdle: " << who << "\n";
    }
  }
  for (const auto& [local, r] : reacted_) {
    int on_server = emojis.count(r.emoji) ? emojis[r.emoji] : 0;
    bool gone = unreacted_.count(r.emoji) || doomed(r.target_root) ||
                poisoned(r.client, r.chat);
    if (on_server == 0 && !gone) {
      out << trace(r.client, r.chat, local);
      out << "lost reaction: " << clients_[r.client].name << " " << r.emoji << " on " << r.target_root
          << " (" << local << ")\n";
    }
  }
  return out.str();
}

std::string ChaosDriver::summary() const {
  std::ostringstream out;
  for (const auto& [kind, n] : done_) out << kind << " " << n << ", ";
  out << sent_.size() << " messages and " << reacted_.size() << " reactions with local ids";
  return out.str();
}

}  // namespace whisp::synctest
