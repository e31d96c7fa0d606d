#include "protocol/timestamp.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

using whisp::ErrorCode;
using whisp::format_timestamp;
using whisp::parse_timestamp;

namespace {

std::int64_t micros_of(const std::string& text) {
  auto t = parse_timestamp(text);
  INFO(text << " -> " << (t ? std::string("ok") : t.error().describe()));
  REQUIRE(t.ok());
  CHECK(t->text == text);
  return t->micros;
}

}  // namespace

TEST_CASE("a vendor timestamp parses to its instant and keeps its text", "[timestamp]") {
  CHECK(micros_of("2024-01-15T10:30:00Z") == 1705314600000000);
  // Reference values computed independently (Python's datetime).
  CHECK(micros_of("2000-02-29T23:59:59Z") == 951868799000000);
  CHECK(micros_of("0001-01-01T00:00:00Z") == -62135596800000000);
  CHECK(micros_of("9999-12-31T23:59:59.999999Z") == 253402300799999999);
  CHECK(micros_of("1969-12-31T23:59:59Z") == -1000000);
  CHECK(micros_of("1900-03-01T00:00:00Z") == -2203891200000000);
  CHECK(micros_of("1970-01-01T00:00:00Z") == 0);
}

TEST_CASE("zero to nine fraction digits all name the same instant scale", "[timestamp]") {
  const std::int64_t base = 1705314600000000;
  CHECK(micros_of("2024-01-15T10:30:00Z") == base);
  CHECK(micros_of("2024-01-15T10:30:00.5Z") == base + 500000);
  CHECK(micros_of("2024-01-15T10:30:00.12Z") == base + 120000);
  CHECK(micros_of("2024-01-15T10:30:00.123Z") == base + 123000);
  CHECK(micros_of("2024-01-15T10:30:00.1234Z") == base + 123400);
  CHECK(micros_of("2024-01-15T10:30:00.12345Z") == base + 123450);
  CHECK(micros_of("2024-01-15T10:30:00.123456Z") == base + 123456);
  SECTION("digits past microseconds are truncated") {
    CHECK(micros_of("2024-01-15T10:30:00.1234567Z") == base + 123456);
    CHECK(micros_of("2024-01-15T10:30:00.12345678Z") == base + 123456);
    CHECK(micros_of("2024-01-15T10:30:00.123456789Z") == base + 123456);
  }
  SECTION("different texts of one instant compare equal as instants, not as texts") {
    auto a = parse_timestamp("2024-01-15T10:30:00Z");
    auto b = parse_timestamp("2024-01-15T10:30:00.000000000Z");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->micros == b->micros);
    CHECK(a.value() != b.value());
  }
}

TEST_CASE("offsets are applied to reach UTC", "[timestamp]") {
  const std::int64_t base = 1705314600000000;  // 2024-01-15T10:30:00Z
  CHECK(micros_of("2024-01-15T11:30:00+01:00") == base);
  CHECK(micros_of("2024-01-15T05:30:00-05:00") == base);
  CHECK(micros_of("2024-01-15T16:00:00+05:30") == base);
  CHECK(micros_of("2024-01-15T10:30:00+00:00") == base);
  CHECK(micros_of("2024-01-15T10:30:00-00:00") == base);
  SECTION("an offset may cross a day, month and year boundary") {
    CHECK(micros_of("2024-01-01T00:30:00+01:00") == micros_of("2023-12-31T23:30:00Z"));
    CHECK(micros_of("2024-02-29T23:00:00-02:00") == micros_of("2024-03-01T01:00:00Z"));
  }
  SECTION("fractions and offsets combine") {
    CHECK(micros_of("2024-01-15T11:30:00.25+01:00") == base + 250000);
  }
}

TEST_CASE("calendar rules: leap years and month lengths are checked", "[timestamp]") {
  CHECK(parse_timestamp("2024-02-29T00:00:00Z").ok());
  CHECK(parse_timestamp("2000-02-29T00:00:00Z").ok());
  CHECK_FALSE(parse_timestamp("2023-02-29T00:00:00Z").ok());
  CHECK_FALSE(parse_timestamp("1900-02-29T00:00:00Z").ok());
  CHECK_FALSE(parse_timestamp("2024-04-31T00:00:00Z").ok());
  CHECK(parse_timestamp("2024-12-31T23:59:59Z").ok());
  CHECK(micros_of("2024-03-01T00:00:00Z") - micros_of("2024-02-28T00:00:00Z") ==
        2 * 86400LL * 1000000);
  CHECK(micros_of("2023-03-01T00:00:00Z") - micros_of("2023-02-28T00:00:00Z") ==
        86400LL * 1000000);
}

TEST_CASE("garbage is rejected with an error quoting the text", "[timestamp]") {
  const char* bad[] = {
      "",
      "2024-13-01",
      "2024-13-01T00:00:00Z",
      "2024-00-10T00:00:00Z",
      "2024-01-00T00:00:00Z",
      "2024-01-32T00:00:00Z",
      "2024-01-15T24:00:00Z",
      "2024-01-15T10:60:00Z",
      "2024-01-15T10:30:60Z",
      "2024-01-15T10:30:00",        // no zone
      "2024-01-15 10:30:00Z",       // space instead of T
      "2024-01-15t10:30:00Z",       // lowercase t
      "2024-01-15T10:30:00z",       // lowercase z
      "2024-01-15T10:30:00.Z",      // dot without digits
      "2024-01-15T10:30:00.1234567890Z",  // ten fraction digits
      "2024-01-15T10:30:00+0100",   // offset without colon
      "2024-01-15T10:30:00+01",     // short offset
      "2024-01-15T10:30:00+24:00",  // offset hour out of range
      "2024-01-15T10:30:00+01:60",  // offset minute out of range
      "2024-01-15T10:30:00Zjunk",   // trailing garbage
      "2024-01-15T10:30:00Z ",      // trailing space
      " 2024-01-15T10:30:00Z",      // leading space
      "24-01-15T10:30:00Z",         // short year
      "+2024-01-15T10:30:00Z",
      "2024-1-15T10:30:00Z",
      "2024-01-15T1:30:00Z",
      "２０２４-01-15T10:30:00Z",    // non-ASCII digits
  };
  for (const char* text : bad) {
    auto t = parse_timestamp(text);
    INFO("'" << text << "'");
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().code == ErrorCode::invalid_value);
    CHECK(t.error().message == std::string("invalid timestamp '") + text + "'");
  }
}

TEST_CASE("format_timestamp writes six fraction digits and parses back to the same instant",
          "[timestamp]") {
  CHECK(format_timestamp(0) == "1970-01-01T00:00:00.000000Z");
  CHECK(format_timestamp(1705314600000000) == "2024-01-15T10:30:00.000000Z");
  CHECK(format_timestamp(1705314600123456) == "2024-01-15T10:30:00.123456Z");
  CHECK(format_timestamp(-1) == "1969-12-31T23:59:59.999999Z");
  CHECK(format_timestamp(951868799000000) == "2000-02-29T23:59:59.000000Z");
  CHECK(format_timestamp(-62135596800000000) == "0001-01-01T00:00:00.000000Z");

  SECTION("a sweep over four centuries round-trips") {
    // A fixed-seed LCG over 0001-01-01 .. 9999-12-31: deterministic, and any civil-date slip
    // (leap rules, month tables, negative floors) shows as a mismatch.
    const std::int64_t lo = -62135596800000000;
    const std::int64_t span = 253402300799999999 - lo;
    std::uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 20000; ++i) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      const std::int64_t m = lo + static_cast<std::int64_t>((x >> 1) % static_cast<std::uint64_t>(span));
      const std::string text = format_timestamp(m);
      auto t = parse_timestamp(text);
      INFO(m << " -> " << text);
      REQUIRE(t.ok());
      REQUIRE(t->micros == m);
    }
  }
  SECTION("timestamp_from_micros pairs the instant with the formatted text") {
    auto t = whisp::timestamp_from_micros(1705314600500000);
    CHECK(t.text == "2024-01-15T10:30:00.500000Z");
    CHECK(t.micros == 1705314600500000);
  }
}

TEST_CASE("is_canonical_timestamp agrees with comparing against format_timestamp",
          "[timestamp]") {
  using whisp::is_canonical_timestamp;
  CHECK(is_canonical_timestamp("2024-01-15T10:30:00.123456Z", 1705314600123456));
  CHECK(is_canonical_timestamp("1969-12-31T23:59:59.999999Z", -1));
  CHECK_FALSE(is_canonical_timestamp("2024-01-15T10:30:00.123457Z", 1705314600123456));
  CHECK_FALSE(is_canonical_timestamp("2024-01-15T10:30:00.123Z", 1705314600123000));
  CHECK_FALSE(is_canonical_timestamp("2024-01-15T11:30:00.123456+01:00", 1705314600123456));
  CHECK_FALSE(is_canonical_timestamp("", 0));
  // Outside years 0..9999 the text is not 27 bytes or falls back to format_timestamp.
  const std::int64_t far = 253402300800000000;  // 10000-01-01
  CHECK(is_canonical_timestamp(format_timestamp(far), far) ==
        (format_timestamp(far).size() == 27));
  std::uint64_t x = 0x2545f4914f6cdd1dULL;
  for (int i = 0; i < 20000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto m = static_cast<std::int64_t>(x >> 8) - (std::int64_t{1} << 54);
    const std::string text = format_timestamp(m);
    INFO(m << " -> " << text);
    REQUIRE(is_canonical_timestamp(text, m));
    REQUIRE(is_canonical_timestamp(text, m + 1) == (format_timestamp(m + 1) == text));
  }
}
