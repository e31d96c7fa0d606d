#include "whisp/result.hpp"

namespace whisp {

const char* to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::malformed_json: return "malformed_json";
    case ErrorCode::missing_field: return "missing_field";
    case ErrorCode::wrong_type: return "wrong_type";
    case ErrorCode::invalid_value: return "invalid_value";
    case ErrorCode::protocol_error: return "protocol_error";
    case ErrorCode::frame_too_large: return "frame_too_large";
    case ErrorCode::io_error: return "io_error";
    case ErrorCode::storage_error: return "storage_error";
    case ErrorCode::auth_failed: return "auth_failed";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::rejected: return "rejected";
    case ErrorCode::timeout: return "timeout";
    case ErrorCode::closed: return "closed";
  }
  return "unknown";
}

}  // namespace whisp
