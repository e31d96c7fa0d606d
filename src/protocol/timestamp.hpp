// ISO-8601 date-times as Whisp sends them: "2024-01-15T10:30:00Z", a variable number of
// fraction digits, or an offset ("+01:00"). Compared as instants, displayed as received.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "whisp/result.hpp"

namespace whisp {

struct Timestamp {
  std::string text;          // exactly as received, for display and re-encoding
  std::int64_t micros = 0;   // instant: microseconds since the Unix epoch, UTC

  friend bool operator==(const Timestamp& a, const Timestamp& b) { return a.text == b.text; }
  friend bool operator!=(const Timestamp& a, const Timestamp& b) { return !(a == b); }
};

/// Parses an ISO-8601 date-time with a 'Z' or "+hh:mm"/"-hh:mm" offset and 0..9 fraction
/// digits (truncated to microseconds). Error (invalid_value) quotes the text.
Result<Timestamp> parse_timestamp(std::string_view text);

/// Formats an instant as "YYYY-MM-DDTHH:MM:SS.ffffffZ" (always six fraction digits), the form
/// the engine and the dev server write.
std::string format_timestamp(std::int64_t micros);

/// True when `text` is exactly format_timestamp(micros), checked without formatting a string
/// (the store asks this for every message it writes).
bool is_canonical_timestamp(std::string_view text, std::int64_t micros);

/// A Timestamp for an instant, with format_timestamp's text.
Timestamp timestamp_from_micros(std::int64_t micros);

}  // namespace whisp
