// The notifier actor runs the app's callbacks: on its own thread, one at a time, in the order
// the events happened (commit order for changes). An exception thrown by a callback is caught
// and logged; it never reaches the engine.
#pragma once

#include "actors/caf_types.hpp"

namespace whisp::actors {

/// Handles whisp::Change, whisp::ConnectionEvent, whisp::Error and whisp::Tokens.
caf::actor spawn_notifier(caf::actor_system& system, Callbacks callbacks);

}  // namespace whisp::actors
