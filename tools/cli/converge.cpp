#include "converge.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace whisp::cli {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

/// Copies the listed members of an object in the given order (absent ones as null).
void copy_members(Writer& w, const rapidjson::Value& o, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    w.Key(k);
    auto it = o.FindMember(k);
    if (it == o.MemberEnd()) {
      w.Null();
    } else {
      it->value.Accept(w);
    }
  }
}

}  // namespace

Result<std::string> shared_view(std::string_view snapshot_json, const std::string& chat_id) {
  rapidjson::Document d;
  d.Parse(snapshot_json.data(), snapshot_json.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("chats") || !d["chats"].IsArray()) {
    return Error{ErrorCode::malformed_json, "snapshot: not the contract's shape"};
  }
  for (const auto& chat : d["chats"].GetArray()) {
    if (!chat.IsObject() || !chat.HasMember("chatId") || !chat["chatId"].IsString() ||
        chat_id != chat["chatId"].GetString()) {
      continue;
    }
    if (!chat.HasMember("members") || !chat["members"].IsArray() || !chat.HasMember("messages") ||
        !chat["messages"].IsArray()) {
      return Error{ErrorCode::malformed_json, "snapshot: chat " + chat_id + " lacks members or messages"};
    }
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    copy_members(w, chat, {"chatId", "name"});
    w.Key("members");
    w.StartArray();
    for (const auto& m : chat["members"].GetArray()) {
      if (!m.IsObject()) return Error{ErrorCode::malformed_json, "snapshot: a member is not an object"};
      w.StartObject();
      copy_members(w, m, {"userId", "username", "lastReadMessageId"});
      w.EndObject();
    }
    w.EndArray();
    w.Key("messages");
    w.StartArray();
    for (const auto& m : chat["messages"].GetArray()) {
      if (!m.IsObject()) return Error{ErrorCode::malformed_json, "snapshot: a message is not an object"};
      w.StartObject();
      copy_members(w, m, {"messageId", "senderId", "text", "edited"});
      w.Key("replyTo");
      auto reply = m.FindMember("replyTo");
      if (reply != m.MemberEnd() && reply->value.IsObject()) {
        w.StartObject();
        copy_members(w, reply->value, {"messageId", "senderId", "text"});
        w.EndObject();
      } else {
        w.Null();
      }
      w.Key("reactions");
      w.StartArray();
      auto reactions = m.FindMember("reactions");
      if (reactions != m.MemberEnd() && reactions->value.IsArray()) {
        for (const auto& r : reactions->value.GetArray()) {
          if (!r.IsObject()) continue;
          w.StartObject();
          copy_members(w, r, {"reactionId", "senderId", "emoji"});
          w.EndObject();
        }
      }
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return std::string(buf.GetString());
  }
  return std::string("null");
}

}  // namespace whisp::cli
