#include "truth.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include "net/http_client.hpp"
#include "net/io_thread.hpp"
#include "protocol/rest.hpp"

namespace whisp::synctest {
namespace {

using std::chrono::milliseconds;

// One I/O thread and client for every truth read of the test process.
net::HttpClient& http() {
  static net::IoThread io;
  static net::HttpClient client(io);
  return client;
}

Result<net::HttpResponse> blocking(net::HttpRequest request) {
  std::mutex m;
  std::condition_variable cv;
  std::optional<Result<net::HttpResponse>> got;
  http().request(std::move(request), milliseconds(15000), [&](Result<net::HttpResponse> r) {
    std::lock_guard<std::mutex> lock(m);
    got.emplace(std::move(r));
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(m);
  cv.wait(lock, [&] { return got.has_value(); });  // the client's own timeout bounds this
  return std::move(*got);
}

Result<std::string> body_of(Result<net::HttpResponse> r, const std::string& what) {
  if (!r.ok()) return r.error();
  if (r->status / 100 != 2) {
    return Error{ErrorCode::rejected, what + ": HTTP " + std::to_string(r->status) + " " + r->body};
  }
  return r->body;
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> opt_str(const rapidjson::Value& v, const char* key) {
  if (!v.HasMember(key) || !v[key].IsString()) return std::nullopt;
  return std::string(v[key].GetString());
}

std::string quote(const std::optional<std::string>& s) { return s ? "\"" + *s + "\"" : "null"; }

std::string line_of(const Message& m) {
  std::ostringstream o;
  o << "message " << m.id << " from " << m.sender << " \"" << m.text << "\""
    << (m.edited ? " edited" : "");
  if (m.reply_id) o << " reply-to " << *m.reply_id << " by " << quote(m.reply_sender) << " "
                    << quote(m.reply_text);
  o << " reactions [";
  for (const auto& r : m.reactions) o << " " << r.id << ":" << r.sender << ":" << r.emoji;
  o << " ]";
  return o.str();
}

// A chat as lines, one per fact, in order.
std::vector<std::string> lines_of(const Chat& c, const CompareOptions& options) {
  std::vector<std::string> out;
  out.push_back("chat " + c.id + " name " + quote(c.name));
  for (const auto& m : c.members) {
    out.push_back("chat " + c.id + " member " + m.user_id + " " + quote(m.username) +
                  " read " + quote(m.last_read));
  }
  for (std::size_t i = 0; i < c.messages.size(); ++i) {
    Message m = c.messages[i];
    if (!options.reply_text) m.reply_text.reset();
    out.push_back("chat " + c.id + " #" + std::to_string(i) + " " + line_of(m));
  }
  return out;
}

}  // namespace

Result<View> view_of_snapshot(const std::string& snapshot_json, Unconfirmed* unconfirmed) {
  rapidjson::Document doc;
  doc.Parse(snapshot_json.c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("chats") ||
      !doc["chats"].IsArray()) {
    return Error{ErrorCode::malformed_json, "snapshot: not the contract's JSON: " +
                                                snapshot_json.substr(0, 200)};
  }
  View view;
  for (const auto& c : doc["chats"].GetArray()) {
    Chat chat;
    chat.id = c["chatId"].GetString();
    chat.name = opt_str(c, "name");
    for (const auto& m : c["members"].GetArray()) {
      chat.members.push_back(
          Member{m["userId"].GetString(), opt_str(m, "username"), opt_str(m, "lastReadMessageId")});
    }
    for (const auto& m : c["messages"].GetArray()) {
      auto id = opt_str(m, "messageId");
      if (!id) {
        if (unconfirmed) {
          unconfirmed->messages.push_back({chat.id, opt_str(m, "localId").value_or("?"),
                                           m["text"].GetString(), m["status"].GetString(),
                                           opt_str(m, "error").value_or("")});
        }
        continue;
      }
      Message msg;
      msg.id = *id;
      msg.sender = m["senderId"].GetString();
      msg.text = m["text"].GetString();
      msg.edited = m["edited"].GetBool();
      if (m["replyTo"].IsObject()) {
        msg.reply_id = opt_str(m["replyTo"], "messageId");
        msg.reply_sender = opt_str(m["replyTo"], "senderId");
        msg.reply_text = opt_str(m["replyTo"], "text");
      }
      for (const auto& r : m["reactions"].GetArray()) {
        auto rid = opt_str(r, "reactionId");
        if (!rid) {
          if (unconfirmed) unconfirmed->reactions.push_back({chat.id, msg.id, r["emoji"].GetString()});
          continue;
        }
        msg.reactions.push_back({*rid, r["senderId"].GetString(), r["emoji"].GetString()});
      }
      std::sort(msg.reactions.begin(), msg.reactions.end());
      chat.messages.push_back(std::move(msg));
    }
    std::sort(chat.members.begin(), chat.members.end(),
              [](const Member& a, const Member& b) { return a.user_id < b.user_id; });
    view.chats[chat.id] = std::move(chat);
  }
  return view;
}

std::string differences(const View& engine, const View& server, const CompareOptions& options) {
  std::vector<std::string> a, b;
  for (const auto& [id, c] : engine.chats) {
    auto l = lines_of(c, options);
    a.insert(a.end(), l.begin(), l.end());
  }
  for (const auto& [id, c] : server.chats) {
    auto l = lines_of(c, options);
    b.insert(b.end(), l.begin(), l.end());
  }
  std::multiset<std::string> sa(a.begin(), a.end()), sb(b.begin(), b.end());
  std::ostringstream out;
  int shown = 0;
  for (const auto& x : a) {
    if (sb.count(x)) continue;
    if (++shown <= 40) out << "  engine only: " << x << "\n";
  }
  for (const auto& x : b) {
    if (sa.count(x)) continue;
    if (++shown <= 80) out << "  server only: " << x << "\n";
  }
  if (shown > 80) out << "  ... " << shown - 80 << " more\n";
  return out.str();
}

Result<RestUser> RestUser::sign_in(const std::string& server_url, const std::string& api_key,
                                   const std::string& username, const std::string& password) {
  net::HttpRequest req;
  req.method = "POST";
  req.url = server_url + "/api/user/signin";
  req.headers = {{"x-api-key", api_key}, {"Content-Type", "application/json"}};
  req.body = R"({"username":")" + username + R"(","password":")" + password + R"("})";
  auto r = blocking(std::move(req));
  if (!r.ok()) return r.error();
  if (r->status != 200) {
    return Error{ErrorCode::auth_failed, "signin " + username + ": HTTP " + std::to_string(r->status)};
  }
  auto body = rest::decode_sign_in_response(r->body);
  if (!body.ok()) return body.error();
  auto auth = r->header("Authorization");
  if (!auth) return Error{ErrorCode::auth_failed, "signin: no Authorization header"};
  RestUser u;
  u.url_ = server_url;
  u.jwt_ = std::string(*auth);
  if (u.jwt_.rfind("Bearer ", 0) != 0) u.jwt_ = "Bearer " + u.jwt_;
  u.user_id_ = body->id;
  return u;
}

Result<std::string> RestUser::get(const std::string& path) const {
  net::HttpRequest req;
  req.url = url_ + path;
  req.headers = {{"Authorization", jwt_}};
  return body_of(blocking(std::move(req)), "GET " + path);
}

Result<std::string> RestUser::post(const std::string& path, const std::string& body) const {
  net::HttpRequest req;
  req.method = "POST";
  req.url = url_ + path;
  req.headers = {{"Authorization", jwt_}, {"Content-Type", "application/json"}};
  req.body = body;
  return body_of(blocking(std::move(req)), "POST " + path);
}

Result<View> RestUser::fetch_structure() const {
  View view;
  const int size = 20;
  for (int page = 0;; ++page) {
    auto body = get("/api/chat/getChats?page=" + std::to_string(page) + "&size=" + std::to_string(size));
    if (!body.ok()) return body.error();
    auto list = rest::decode_chat_list(*body);
    if (!list.ok()) return list.error();
    for (const auto& c : list->chats) {
      Chat chat;
      chat.id = c.chat_id;
      chat.name = c.chat_name;
      view.chats[c.chat_id] = std::move(chat);
    }
    if (static_cast<int>(list->chats.size()) < size) break;
  }
  for (auto& [id, chat] : view.chats) {
    auto body = get("/api/chat/getUsers/" + url_encode(id));
    if (!body.ok()) return body.error();
    auto users = rest::decode_user_list(*body);
    if (!users.ok()) return users.error();
    for (const auto& u : users->users) {
      chat.members.push_back(Member{u.user_id, u.username, u.last_seen_message});
    }
    std::sort(chat.members.begin(), chat.members.end(),
              [](const Member& a, const Member& b) { return a.user_id < b.user_id; });
  }
  return view;
}

Result<std::map<std::string, std::vector<Message>>> RestUser::fetch_history(int page_size) const {
  auto structure = fetch_structure();
  if (!structure.ok()) return structure.error();
  std::map<std::string, std::vector<Message>> out;
  for (const auto& [chat_id, chat] : structure->chats) {
    std::vector<rest::Message> all;
    std::optional<std::string> cursor;
    while (true) {
      std::string path = "/api/messages/getMessages/" + url_encode(chat_id) +
                         "?size=" + std::to_string(page_size);
      if (cursor) path += "&lastMessage=" + url_encode(*cursor);
      auto body = get(path);
      if (!body.ok()) return body.error();
      auto page = rest::decode_message_list(*body);
      if (!page.ok()) return page.error();
      auto& msgs = page->messages;
      if (msgs.empty()) break;
      auto oldest = std::min_element(msgs.begin(), msgs.end(), [](const auto& a, const auto& b) {
        return std::tie(a.time_stamp.micros, a.message_id) < std::tie(b.time_stamp.micros, b.message_id);
      });
      cursor = oldest->message_id;
      bool last = static_cast<int>(msgs.size()) < page_size;
      all.insert(all.end(), msgs.begin(), msgs.end());
      if (last) break;
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return std::tie(a.time_stamp.micros, a.message_id) < std::tie(b.time_stamp.micros, b.message_id);
    });
    auto& msgs = out[chat_id];
    for (const auto& m : all) {
      Message msg;
      msg.id = m.message_id;
      msg.sender = m.sender_id;
      msg.text = m.content;
      msg.edited = m.edited;
      if (m.reply_to) {
        msg.reply_id = m.reply_to->message_id;
        msg.reply_sender = m.reply_to->sender_id;
        msg.reply_text = m.reply_to->content;
      }
      for (const auto& r : m.reactions) msg.reactions.push_back({r.reaction_id, r.sender_id, r.reaction});
      std::sort(msg.reactions.begin(), msg.reactions.end());
      msgs.push_back(std::move(msg));
    }
  }
  return out;
}

View merge(View structure, const std::map<std::string, std::vector<Message>>& history) {
  for (auto& [id, chat] : structure.chats) {
    auto it = history.find(id);
    if (it != history.end()) chat.messages = it->second;
  }
  return structure;
}

std::string converge(const std::vector<Probe>& probes, std::chrono::milliseconds timeout,
                     const CompareOptions& options) {
  std::vector<std::map<std::string, std::vector<Message>>> histories;
  for (const auto& p : probes) {
    auto h = p.rest->fetch_history();
    if (!h.ok()) return p.name + ": history: " + h.error().describe();
    histories.push_back(std::move(h).value());
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (true) {
    last.clear();
    for (std::size_t i = 0; i < probes.size(); ++i) {
      const auto& p = probes[i];
      auto json = p.snapshot();
      if (!json.ok()) {
        last += p.name + ": snapshot: " + json.error().describe() + "\n";
        continue;
      }
      auto engine = view_of_snapshot(*json);
      if (!engine.ok()) {
        last += p.name + ": " + engine.error().describe() + "\n";
        continue;
      }
      auto structure = p.rest->fetch_structure();
      if (!structure.ok()) {
        last += p.name + ": structure: " + structure.error().describe() + "\n";
        continue;
      }
      auto diff = differences(*engine, merge(std::move(structure).value(), histories[i]), options);
      if (!diff.empty()) last += p.name + " differs from the server:\n" + diff;
    }
    if (last.empty()) return "";
    if (std::chrono::steady_clock::now() >= deadline) return last;
    for (const auto& p : probes) p.wait_change(milliseconds(100));
  }
}

std::string describe_unconfirmed(const Unconfirmed& u) {
  std::ostringstream o;
  for (const auto& m : u.messages) {
    o << "  message " << m.local_id << " in " << m.chat_id << " \"" << m.text << "\" " << m.status
      << (m.error.empty() ? "" : " (" + m.error + ")") << "\n";
  }
  for (const auto& r : u.reactions) {
    o << "  reaction " << r.emoji << " on " << r.message_id << " in " << r.chat_id << "\n";
  }
  return o.str();
}

std::uint64_t test_seed() {
  if (const char* s = std::getenv("WHISP_SEED")) return std::strtoull(s, nullptr, 10);
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace whisp::synctest
