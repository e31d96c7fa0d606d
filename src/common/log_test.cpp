#include "whisp/log.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

TEST_CASE("secrets in URLs, headers and JSON never reach the sink") {
  using whisp::redact;
  CHECK(redact("GET /api/wsConnect?ticket=abc123&x=1") == "GET /api/wsConnect?ticket=***&x=1");
  CHECK(redact("Authorization: Bearer eyJhbGci.eyJzdWIi.sig") == "Authorization: Bearer ***");
  CHECK(redact(R"({"username":"a","password":"hunter2"})") == R"({"username":"a","password":"***"})");
  CHECK(redact(R"({"refreshToken": "r-1","x":1})") == R"({"refreshToken": "***","x":1})");
  CHECK(redact("nothing secret here") == "nothing secret here");
}

TEST_CASE("the sink receives lines at or above the level, redacted") {
  std::vector<std::string> lines;
  whisp::set_log_sink([&](whisp::LogLevel, std::string_view c, std::string_view l) {
    lines.push_back(std::string(c) + "|" + std::string(l));
  });
  whisp::set_log_level(whisp::LogLevel::info);
  whisp::log(whisp::LogLevel::debug, "t", "hidden");
  whisp::log(whisp::LogLevel::info, "t", "ticket=zzz");
  whisp::set_log_sink(nullptr);
  whisp::set_log_level(whisp::LogLevel::warn);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "t|ticket=***");
}

TEST_CASE("log levels parse from their names and nothing else") {
  whisp::LogLevel level{};
  CHECK(whisp::parse_log_level("debug", level));
  CHECK(level == whisp::LogLevel::debug);
  CHECK_FALSE(whisp::parse_log_level("loud", level));
}
