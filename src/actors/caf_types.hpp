// The message vocabulary every actor shares: atoms, and the permission for our value types to
// travel in local CAF messages. Nothing here crosses a process boundary, so the types need no
// serialization (CAF_ALLOW_UNSAFE_MESSAGE_TYPE); each actor's own messages live in its header.
#pragma once

#include <caf/all.hpp>

#include <optional>
#include <string>
#include <vector>

#include "store/log_entry.hpp"
#include "store/store.hpp"
#include "whisp/engine.hpp"
#include "whisp/result.hpp"

namespace whisp::actors {

using flush_atom = caf::atom_constant<caf::atom("flush")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using online_atom = caf::atom_constant<caf::atom("online")>;
using offline_atom = caf::atom_constant<caf::atom("offline")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using pump_atom = caf::atom_constant<caf::atom("pump")>;
using synced_atom = caf::atom_constant<caf::atom("synced")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using check_atom = caf::atom_constant<caf::atom("check")>;

/// A reply that is either empty success or an error; default-constructible for CAF.
struct Done {
  std::optional<Error> error;
  bool ok() const { return !error.has_value(); }
};

}  // namespace whisp::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::Done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::Error)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::Change)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::ConnectionEvent)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::Tokens)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::store::LogEntry)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<whisp::store::LogEntry>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::store::LocalIntent)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::store::CommitInfo)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<whisp::store::OutboxItem>)
