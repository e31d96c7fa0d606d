#include "actors/notifier_actor.hpp"

#include <exception>

#include "whisp/log.hpp"

namespace whisp::actors {
namespace {

template <class F, class Arg>
void call(const F& f, const Arg& arg, const char* what) {
  if (!f) return;
  try {
    f(arg);
  } catch (const std::exception& e) {
    log(LogLevel::error, "notifier", std::string(what) + " callback threw: " + e.what());
  } catch (...) {
    log(LogLevel::error, "notifier", std::string(what) + " callback threw");
  }
}

}  // namespace

caf::actor spawn_notifier(caf::actor_system& system, Callbacks callbacks) {
  // The callbacks travel as a spawn argument, not a capture: CAF 0.17 dereferences a null
  // argument tuple for actors spawned without any (undefined behaviour that UBSan reports).
  auto body = [](caf::event_based_actor*, Callbacks callbacks) -> caf::behavior {
    return {
        [callbacks](const Change& change) { call(callbacks.on_change, change, "change"); },
        [callbacks](const ConnectionEvent& event) {
          call(callbacks.on_connection, event, "connection");
        },
        [callbacks](const Error& error) { call(callbacks.on_error, error, "error"); },
        [callbacks](const Tokens& tokens) { call(callbacks.on_tokens, tokens, "tokens"); },
    };
  };
  return system.spawn<caf::detached>(body, std::move(callbacks));
}

}  // namespace whisp::actors
