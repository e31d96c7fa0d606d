// Errors as values. Every layer of whisp-engine reports failure through `Result<T>`: a value or
// an `Error` carrying a code and a message that names the field and the reason. No exception
// crosses a layer's edge; layers that use throwing libraries (SQLiteCpp) catch at their edge.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace whisp {

enum class ErrorCode {
  invalid_argument,   // a caller passed something unusable (names the parameter)
  malformed_json,     // not JSON at all, or not the expected JSON shape
  missing_field,      // a required field is absent (names the event/DTO and the field)
  wrong_type,         // a field has the wrong JSON type
  invalid_value,      // a field has the right type but an unusable value (bad timestamp, …)
  protocol_error,     // a STOMP framing violation
  frame_too_large,    // a STOMP frame over the configured limit
  io_error,           // a socket or file failed
  storage_error,      // SQLite failed
  auth_failed,        // credentials refused or expired beyond refresh
  not_found,          // the named chat, message or entry does not exist
  rejected,           // the server or a local rule refused an action
  timeout,            // an operation did not finish in time
  closed,             // the object was stopped or the connection is gone
};

/// Human-readable name of a code ("missing_field"), for logs and JSON.
const char* to_string(ErrorCode code) noexcept;

struct Error {
  ErrorCode code;
  std::string message;

  std::string describe() const { return std::string(to_string(code)) + ": " + message; }
  friend bool operator==(const Error& a, const Error& b) {
    return a.code == b.code && a.message == b.message;
  }
};

/// A value of T or an Error. Cheap to move; check `ok()` before `value()`.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}      // NOLINT: implicit by design

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

/// Result of an operation that yields nothing but may fail.
struct Ok {};
using Status = Result<Ok>;

}  // namespace whisp
