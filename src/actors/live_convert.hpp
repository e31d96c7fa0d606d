// Conversions between the store's read-side values (store/snapshot.hpp, store/snapshot_diff.hpp)
// and the public live-view values (whisp/live.hpp), and the engine's internal door for the live
// views (LiveAccess). Internal to src/actors. Pure, except `typing_of` (reads the board).
#pragma once

#include <string>
#include <vector>

#include "actors/typing_board.hpp"
#include "store/snapshot.hpp"
#include "store/snapshot_diff.hpp"
#include "whisp/live.hpp"

namespace whisp {

/// Friend of Engine: the live views' access to its state (the Reader, the typing board, the
/// change listeners). Use it where Engine::Impl is complete (include actors/engine_impl.hpp).
struct LiveAccess {
  static Engine::Impl& impl(const Engine& engine) { return *engine.impl_; }
};

namespace live {

Message to_public(const store::MessageView& m);
store::MessageView to_store(const Message& m);
Member to_public(const store::MemberView& m);
store::MemberView to_store(const Member& m);

/// A live chat's view, or (`chat` null) a chat that is not there.
ChatSnapshot to_public(const store::ChatView* chat, const std::string& chat_id, std::int64_t seq,
                       bool has_older, std::vector<std::string> typing);
store::ChatView to_store(const ChatSnapshot& s);

/// The message part of a public diff; the caller sets exists / has_older / typing.
ChatDiff to_public(const store::ChatDiff& d);
store::ChatDiff to_store(const ChatDiff& d);

HistoryPage to_public(const store::HistoryWindow& w);

/// One chat read in one read transaction: the log sequence and the chat (absent when it is not
/// live). Defined in engine_views.cpp.
struct ChatRead {
  std::int64_t seq = 0;
  std::optional<store::ChatView> chat;
};
Result<ChatRead> read_chat(const Engine& engine, const std::string& chat_id);

/// Users typing in a chat now, sorted.
std::vector<std::string> typing_of(const actors::TypingBoard& board, const std::string& chat_id);

}  // namespace live
}  // namespace whisp
