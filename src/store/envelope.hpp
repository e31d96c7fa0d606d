// The JSON Lines form of log entries (docs/store-format.md): one line per entry. A live event is
// stored as the raw JSON exactly as received (a bare Whisp event); every other entry is an
// envelope object whose `entry` member names its kind ("history", "chats", "members",
// "intent", "outbox"). The log table, the replay tool and exports all use these two functions.
#pragma once

#include <string>
#include <string_view>

#include "store/log_entry.hpp"
#include "whisp/result.hpp"

namespace whisp::store {

/// The line for an entry (no trailing newline). Deterministic. A LiveEvent gives its `json`.
std::string encode_entry(const LogEntry& entry);

/// Decodes one line: an envelope (has `entry`) or a bare Whisp event (has `type`, decoded with
/// the protocol's decode_event; the line becomes the LiveEvent's json). Errors name the entry
/// kind, the field and the reason, e.g. `intent.localId: missing`. Never throws.
Result<LogEntry> decode_entry(std::string_view line);

}  // namespace whisp::store
