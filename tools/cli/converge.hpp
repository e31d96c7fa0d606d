// What two engines of different users must agree on about a chat once both are synced
// (DESIGN.md invariant 4), for `whisp demo`'s final check and the end-to-end tests.
#pragma once

#include <string>
#include <string_view>

#include "whisp/result.hpp"

namespace whisp::cli {

/// The shared part of one chat of a snapshot, as canonical JSON: name, members (ids, names,
/// read pointers) and messages (ids, senders, texts, edit flags, replies, reactions by id).
/// Left out, because they differ between users or devices: unreadCount, localIds, statuses,
/// typing, errors. A chat absent from the snapshot gives "null".
Result<std::string> shared_view(std::string_view snapshot_json, const std::string& chat_id);

}  // namespace whisp::cli
