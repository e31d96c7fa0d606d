// Human-readable rendering of the snapshot JSON (DESIGN.md "Snapshot JSON"), for
// `whisp snapshot`, `whisp watch`, `whisp sync` and `whisp demo`. Input is the contract's JSON,
// whether it came from a running engine or from a store read offline, so every command shows
// the same thing the same way.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "whisp/result.hpp"

namespace whisp::cli {

struct PrettyOptions {
  /// Show only the newest N messages of each chat (with a line saying how many are hidden).
  std::optional<std::size_t> last_messages;
  /// ANSI colours (own messages, failures, marks). Off for pipes and tests.
  bool color = false;
};

/// Renders a whole snapshot: the self user, then every chat (header, members, messages).
/// Fails with malformed_json when `snapshot_json` is not the contract's shape.
Result<std::string> render_snapshot(std::string_view snapshot_json, const PrettyOptions& options = {});

/// Renders one chat of a snapshot. A chat absent from the snapshot renders as a line saying so.
Result<std::string> render_chat(std::string_view snapshot_json, const std::string& chat_id,
                                const PrettyOptions& options = {});

/// Counts of a snapshot, for summaries.
struct SnapshotCounts {
  std::size_t chats = 0;
  std::size_t messages = 0;
  std::size_t reactions = 0;
  std::size_t pending = 0;    // own messages not yet on the wire
  std::size_t sent = 0;       // written, echo not seen yet
  std::size_t delivered = 0;
  std::size_t failed = 0;
  std::size_t unread = 0;     // sum of the chats' unreadCount
};
Result<SnapshotCounts> count_snapshot(std::string_view snapshot_json);

/// The status mark shown after an own message: "[pending]", "[sent]", "[delivered]",
/// "[failed: reason]".
std::string status_mark(std::string_view status, std::string_view error = {});

}  // namespace whisp::cli
