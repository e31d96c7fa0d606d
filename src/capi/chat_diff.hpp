// The diff between two snapshots of one chat, for list UIs (issue 7, "Snapshots for UIs").
//
// Items are the chat's messages, keyed by a key that stays the same when an own message goes
// from local to delivered: its localId when it has one (made on this device), else its
// messageId. The diff JSON:
//
//   { "chatId": "...", "version": N,
//     "removed":  ["key", ...],
//     "inserted": [ {"index": i, "key": "...", "message": {...}}, ... ],   ascending index
//     "updated":  [ {"index": i, "key": "...", "message": {...}}, ... ],
//     "chat": { "name": ..., "unreadCount": n, "members": [...], "typing": [...] } }
//
// Replaying it onto the previous list gives the new list: drop the `removed` keys; insert
// each `inserted` item at its index, in the order given; replace each `updated` item (same
// key, same index). An item that moved is removed and inserted again under its same key, so a
// UI can animate a move instead of a jump. "chat" holds the chat's header fields as they are now.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "whisp/result.hpp"

namespace whisp::capi {

/// The diff from `before` to `after`, both the snapshot JSON of the chat (the contract's shape,
/// `{"userId":..., "chats":[chat]}`, or with no chat: an empty list). An empty `before` means
/// "nothing yet": every message is inserted.
Result<std::string> chat_diff(std::string_view before, std::string_view after,
                              const std::string& chat_id, std::int64_t version);

/// Applies a diff to a chat's message list given as a JSON array; returns the new array.
/// (The reference replay, used by the tests.)
Result<std::string> apply_chat_diff(std::string_view messages_json, std::string_view diff_json);

}  // namespace whisp::capi
