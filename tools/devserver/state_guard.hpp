// Internal to the State implementation: runs a body that may throw SQLite::Exception and turns
// the exception into a storage_error value, so nothing throws past State's edge.
#pragma once

#include <exception>
#include <string>

#include "whisp/result.hpp"

namespace whisp::devserver::detail {

template <class F>
auto guarded(const char* what, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    return Error{ErrorCode::storage_error, std::string(what) + ": " + e.what()};
  }
}

inline Error not_found(std::string what) { return Error{ErrorCode::not_found, std::move(what)}; }
inline Error forbidden(std::string what) { return Error{ErrorCode::rejected, std::move(what)}; }
inline Error bad_request(std::string what) {
  return Error{ErrorCode::invalid_argument, std::move(what)};
}
inline Error conflict(std::string what) { return Error{ErrorCode::invalid_value, std::move(what)}; }

}  // namespace whisp::devserver::detail
