#include "capi/event_json.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace whisp::capi {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

const char* state_name(ConnectionState s) {
  switch (s) {
    case ConnectionState::disconnected: return "disconnected";
    case ConnectionState::connecting: return "connecting";
    case ConnectionState::connected: return "connected";
    case ConnectionState::reconnecting: return "reconnecting";
    case ConnectionState::auth_failed: return "auth_failed";
  }
  return "disconnected";
}

}  // namespace

std::string change_json(const Change& change) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("version");
  w.Int64(change.seq);
  w.Key("chatIds");
  w.StartArray();
  for (const auto& id : change.chat_ids) w.String(id.data(), static_cast<rapidjson::SizeType>(id.size()));
  w.EndArray();
  w.Key("chatListChanged");
  w.Bool(change.chat_list_changed);
  w.EndObject();
  return buf.GetString();
}

std::string connection_json(const ConnectionEvent& event) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("state");
  w.String(state_name(event.state));
  w.Key("attempt");
  w.Int(event.attempt);
  str(w, "reason", event.reason);
  w.EndObject();
  return buf.GetString();
}

std::string error_json(const Error& error) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("code");
  w.String(to_string(error.code));
  str(w, "message", error.message);
  w.EndObject();
  return buf.GetString();
}

std::string tokens_json(const Tokens& tokens) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  str(w, "userId", tokens.user_id);
  str(w, "jwt", tokens.jwt);
  str(w, "refreshToken", tokens.refresh_token);
  w.EndObject();
  return buf.GetString();
}

}  // namespace whisp::capi
