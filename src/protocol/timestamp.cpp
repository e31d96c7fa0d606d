#include "protocol/timestamp.hpp"

#include <cstdio>

namespace whisp {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);                 // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;      // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                // [0, 146096]
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day;
};

// The inverse of days_from_civil.
Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static const unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` ASCII digits at `pos`; false if any is not a digit or the text is short.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, unsigned& out) {
  if (pos + n > s.size()) return false;
  unsigned v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  pos += n;
  out = v;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

// The whole grammar: YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|(+|-)hh:mm). Fills `micros` on success.
bool parse(std::string_view s, std::int64_t& micros) {
  std::size_t p = 0;
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(s, p, 4, year) || !expect(s, p, '-') || !digits(s, p, 2, month) ||
      !expect(s, p, '-') || !digits(s, p, 2, day) || !expect(s, p, 'T') ||
      !digits(s, p, 2, hour) || !expect(s, p, ':') || !digits(s, p, 2, minute) ||
      !expect(s, p, ':') || !digits(s, p, 2, second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return false;
  }
  std::int64_t frac_us = 0;
  if (p < s.size() && s[p] == '.') {
    ++p;
    std::size_t n = 0;
    std::int64_t scaled = 0;  // the first six digits, as microseconds
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
      if (n < 6) scaled = scaled * 10 + (s[p] - '0');
      ++n;
      ++p;
    }
    if (n < 1 || n > 9) return false;
    for (std::size_t i = n; i < 6; ++i) scaled *= 10;
    frac_us = scaled;
  }
  if (p >= s.size()) return false;
  std::int64_t offset_s = 0;
  if (s[p] == 'Z') {
    ++p;
  } else if (s[p] == '+' || s[p] == '-') {
    const bool negative = s[p] == '-';
    ++p;
    unsigned oh, om;
    if (!digits(s, p, 2, oh) || !expect(s, p, ':') || !digits(s, p, 2, om)) return false;
    if (oh > 23 || om > 59) return false;
    offset_s = (static_cast<std::int64_t>(oh) * 60 + om) * 60;
    if (negative) offset_s = -offset_s;
  } else {
    return false;
  }
  if (p != s.size()) return false;
  const std::int64_t days = days_from_civil(year, month, day);
  const std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  micros = secs * 1000000 + frac_us;
  return true;
}

}  // namespace

Result<Timestamp> parse_timestamp(std::string_view text) {
  std::int64_t micros = 0;
  if (!parse(text, micros)) {
    return Error{ErrorCode::invalid_value, "invalid timestamp '" + std::string(text) + "'"};
  }
  return Timestamp{std::string(text), micros};
}

namespace {

// An instant as days since the epoch, second of the day and microseconds, by floor division,
// so instants before the epoch split correctly too.
struct DayParts {
  std::int64_t days, sod, frac;
};

DayParts split_micros(std::int64_t micros) {
  std::int64_t secs = micros / 1000000;
  std::int64_t frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    secs -= 1;
  }
  std::int64_t days = secs / 86400;
  std::int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    days -= 1;
  }
  return {days, sod, frac};
}

}  // namespace

std::string format_timestamp(std::int64_t micros) {
  const auto [days, sod, frac] = split_micros(micros);
  const Civil c = civil_from_days(days);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02u.%06lldZ",
                static_cast<long long>(c.year), c.month, c.day,
                static_cast<unsigned>(sod / 3600), static_cast<unsigned>(sod / 60 % 60),
                static_cast<unsigned>(sod % 60), static_cast<long long>(frac));
  return buf;
}

bool is_canonical_timestamp(std::string_view text, std::int64_t micros) {
  // "YYYY-MM-DDTHH:MM:SS.ffffffZ": 27 bytes for years 0..9999; any other year is left to
  // format_timestamp.
  if (text.size() != 27 || text[26] != 'Z') return false;
  const auto [days, sod, frac] = split_micros(micros);
  const Civil c = civil_from_days(days);
  if (c.year < 0 || c.year > 9999) return text == format_timestamp(micros);
  char buf[27];
  auto put = [&buf](int at, std::int64_t value, int digits) {
    for (int i = digits - 1; i >= 0; --i, value /= 10) buf[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, c.year, 4);
  buf[4] = '-';
  put(5, c.month, 2);
  buf[7] = '-';
  put(8, c.day, 2);
  buf[10] = 'T';
  put(11, sod / 3600, 2);
  buf[13] = ':';
  put(14, sod / 60 % 60, 2);
  buf[16] = ':';
  put(17, sod % 60, 2);
  buf[19] = '.';
  put(20, frac, 6);
  buf[26] = 'Z';
  return text == std::string_view(buf, sizeof buf);
}

Timestamp timestamp_from_micros(std::int64_t micros) {
  return Timestamp{format_timestamp(micros), micros};
}

}  // namespace whisp
