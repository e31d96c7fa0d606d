// The one-shot reads of whisp/live.hpp: each one read transaction on the engine's Reader (WAL:
// never waits for the writer), converted to the public values, typing joined from the board.
#include "actors/engine_impl.hpp"
#include "actors/live_convert.hpp"
#include "actors/live_window.hpp"

namespace whisp {
namespace live {

Result<ChatRead> read_chat(const Engine& engine, const std::string& chat_id) {
  if (chat_id.empty()) return Error{ErrorCode::invalid_argument, "chatId: empty"};
  auto& impl = LiveAccess::impl(engine);
  auto snapshot = impl.reader->snapshot(chat_id);
  if (!snapshot.ok()) return snapshot.error();
  ChatRead read;
  read.seq = snapshot->seq;
  if (!snapshot->chats.empty()) read.chat = std::move(snapshot->chats.front());
  return read;
}

}  // namespace live

Result<ChatSnapshot> chat_snapshot(const Engine& engine, const std::string& chat_id, int window) {
  auto read = live::read_chat(engine, chat_id);
  if (!read.ok()) return read.error();
  if (!read->chat) return live::to_public(nullptr, chat_id, read->seq, false, {});
  auto& chat = *read->chat;
  std::size_t first = 0;
  if (window > 0) first = live::ChatWindow(static_cast<std::size_t>(window)).start(chat.messages);
  chat.messages.erase(chat.messages.begin(), chat.messages.begin() + static_cast<std::ptrdiff_t>(first));
  return live::to_public(&chat, chat_id, read->seq, first > 0,
                         live::typing_of(*LiveAccess::impl(engine).typing, chat_id));
}

Result<ChatListSnapshot> chat_list(const Engine& engine) {
  auto& impl = LiveAccess::impl(engine);
  auto list = impl.reader->chat_list();
  if (!list.ok()) return list.error();
  ChatListSnapshot out;
  out.seq = list->seq;
  const auto now = actors::TypingBoard::Clock::now();
  const bool anyone = impl.typing->anyone_typing(now);
  out.chats.reserve(list->chats.size());
  for (auto& c : list->chats) {
    ChatListEntry e;
    e.chat_id = std::move(c.chat_id);
    e.name = std::move(c.name);
    if (c.last_message) e.last_message = live::to_public(*c.last_message);
    e.unread_count = c.unread_count;
    if (anyone) e.typing = impl.typing->typing(e.chat_id, now);
    e.last_activity_micros = c.last_activity_micros;
    out.chats.push_back(std::move(e));
  }
  return out;
}

Result<HistoryPage> latest_messages(const Engine& engine, const std::string& chat_id, int count) {
  if (count <= 0) return Error{ErrorCode::invalid_argument, "count: must be positive"};
  auto w = LiveAccess::impl(engine).reader->latest(chat_id, count);
  if (!w.ok()) return w.error();
  return live::to_public(*w);
}

Result<HistoryPage> messages_before(const Engine& engine, const std::string& chat_id,
                                    const std::string& message_id, int count) {
  if (count <= 0) return Error{ErrorCode::invalid_argument, "count: must be positive"};
  if (message_id.empty()) return Error{ErrorCode::invalid_argument, "messageId: empty"};
  auto w = LiveAccess::impl(engine).reader->before(chat_id, message_id, count);
  if (!w.ok()) return w.error();
  return live::to_public(*w);
}

}  // namespace whisp
