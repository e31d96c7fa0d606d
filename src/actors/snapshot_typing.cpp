#include "actors/snapshot_typing.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace whisp::actors {

std::string with_typing(std::string snapshot_json, const TypingBoard& board) {
  auto now = TypingBoard::Clock::now();
  if (!board.anyone_typing(now)) return snapshot_json;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseFullPrecisionFlag>(snapshot_json.data(), snapshot_json.size());
  if (doc.HasParseError() || !doc.IsObject()) return snapshot_json;
  auto& alloc = doc.GetAllocator();
  auto add = [&](rapidjson::Value& chat) {
    if (!chat.IsObject() || !chat.HasMember("chatId") || !chat["chatId"].IsString()) return;
    std::string id(chat["chatId"].GetString(), chat["chatId"].GetStringLength());
    auto users = board.typing(id, now);
    if (users.empty()) return;
    rapidjson::Value list(rapidjson::kArrayType);
    for (const auto& u : users) list.PushBack(rapidjson::Value(u.c_str(), alloc), alloc);
    chat.AddMember("typing", list, alloc);
  };
  if (doc.HasMember("chats") && doc["chats"].IsArray()) {
    for (auto& chat : doc["chats"].GetArray()) add(chat);
  } else {
    add(doc);
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace whisp::actors
