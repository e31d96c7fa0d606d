#include "demo_peer.hpp"

#include <rapidjson/document.h>

namespace whisp::cli {
namespace {

const rapidjson::Value* find_chat(const rapidjson::Document& d, const std::string& chat_id) {
  if (!d.IsObject() || !d.HasMember("chats") || !d["chats"].IsArray()) return nullptr;
  for (const auto& c : d["chats"].GetArray()) {
    if (c.IsObject() && c.HasMember("chatId") && c["chatId"].IsString() &&
        chat_id == c["chatId"].GetString()) {
      return &c;
    }
  }
  return nullptr;
}

std::string str_or_empty(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

}  // namespace

std::optional<MessageFacts> find_message(const std::string& snapshot_json, const std::string& chat_id,
                                         const std::string& text) {
  rapidjson::Document d;
  d.Parse(snapshot_json.c_str());
  if (d.HasParseError()) return std::nullopt;
  const auto* chat = find_chat(d, chat_id);
  if (chat == nullptr || !chat->HasMember("messages") || !(*chat)["messages"].IsArray()) {
    return std::nullopt;
  }
  std::optional<MessageFacts> found;
  for (const auto& m : (*chat)["messages"].GetArray()) {
    if (!m.IsObject() || str_or_empty(m, "text") != text) continue;
    MessageFacts f;
    if (m.HasMember("messageId") && m["messageId"].IsString()) f.message_id = m["messageId"].GetString();
    f.status = str_or_empty(m, "status");
    f.edited = m.HasMember("edited") && m["edited"].IsBool() && m["edited"].GetBool();
    if (m.HasMember("reactions") && m["reactions"].IsArray()) f.reactions = m["reactions"].Size();
    found = f;
  }
  return found;
}

std::size_t count_messages(const std::string& snapshot_json, const std::string& chat_id,
                           const std::string& text) {
  rapidjson::Document d;
  d.Parse(snapshot_json.c_str());
  if (d.HasParseError()) return 0;
  const auto* chat = find_chat(d, chat_id);
  if (chat == nullptr || !chat->HasMember("messages") || !(*chat)["messages"].IsArray()) return 0;
  std::size_t n = 0;
  for (const auto& m : (*chat)["messages"].GetArray()) {
    if (m.IsObject() && str_or_empty(m, "text") == text) ++n;
  }
  return n;
}

std::optional<std::string> read_pointer(const std::string& snapshot_json, const std::string& chat_id,
                                        const std::string& user_id) {
  rapidjson::Document d;
  d.Parse(snapshot_json.c_str());
  if (d.HasParseError()) return std::nullopt;
  const auto* chat = find_chat(d, chat_id);
  if (chat == nullptr || !chat->HasMember("members") || !(*chat)["members"].IsArray()) {
    return std::nullopt;
  }
  for (const auto& m : (*chat)["members"].GetArray()) {
    if (m.IsObject() && str_or_empty(m, "userId") == user_id) {
      auto p = str_or_empty(m, "lastReadMessageId");
      if (!p.empty()) return p;
    }
  }
  return std::nullopt;
}

Result<std::unique_ptr<DemoPeer>> DemoPeer::start(const std::string& name,
                                                  const std::string& server_url,
                                                  const std::string& api_key,
                                                  const std::string& username,
                                                  const std::string& password,
                                                  const std::string& db_path) {
  std::unique_ptr<DemoPeer> peer(new DemoPeer());
  peer->name_ = name;
  DemoPeer* self = peer.get();
  Config config;
  config.server_url = server_url;
  config.database_path = db_path;
  config.auth = SignIn{api_key, username, password};
  config.backoff_initial = std::chrono::milliseconds(100);
  config.backoff_max = std::chrono::milliseconds(1000);
  Callbacks callbacks;
  callbacks.on_change = [self](const Change& c) {
    std::lock_guard<std::mutex> lock(self->mutex_);
    self->version_ = c.seq;
    self->changed_.notify_all();
  };
  callbacks.on_connection = [self](const ConnectionEvent& e) {
    std::lock_guard<std::mutex> lock(self->mutex_);
    self->connection_ = to_string(e.state);
    self->changed_.notify_all();
  };
  auto engine = Engine::start(std::move(config), std::move(callbacks));
  if (!engine) return Error{engine.error().code, name + ": " + engine.error().message};
  peer->engine_ = std::move(*engine);
  return peer;
}

DemoPeer::~DemoPeer() { stop(); }

void DemoPeer::stop() { engine_.reset(); }

std::string DemoPeer::connection() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return connection_;
}

std::string DemoPeer::snapshot(const std::string& chat_id) const {
  if (!engine_) return {};
  std::optional<std::string> chat;
  if (!chat_id.empty()) chat = chat_id;
  auto json = engine_->snapshot_json(chat);
  return json ? *json : std::string();
}

bool DemoPeer::wait_until(const std::string& chat_id,
                          const std::function<bool(const std::string&)>& done,
                          std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    const std::int64_t seen = version_;
    lock.unlock();
    const bool ok = done(snapshot(chat_id));
    lock.lock();
    if (ok) return true;
    // Wait for a commit newer than the snapshot just checked (or a connection change).
    if (!changed_.wait_until(lock, deadline, [&] { return version_ != seen; })) return false;
  }
}

}  // namespace whisp::cli
