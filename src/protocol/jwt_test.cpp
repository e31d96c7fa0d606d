#include "protocol/jwt.hpp"

#include <catch2/catch.hpp>

using namespace whisp::jwt;

TEST_CASE("base64url round-trips every byte value and length") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n < 10; ++n) {
    auto part = all.substr(n * 7, n * 3);
    CHECK(base64url_decode(base64url_encode(part)) == part);
  }
  CHECK(base64url_decode(base64url_encode(all)) == all);
  CHECK(base64url_encode("\xfb\xff") == "-_8");
  CHECK_FALSE(base64url_decode("ab*c").has_value());
}

TEST_CASE("the expiry and subject of a token are read from its payload") {
  std::string token = base64url_encode(R"({"alg":"HS256"})") + "." +
                      base64url_encode(R"({"sub":"u-1","exp":1700000000})") + ".sig";
  CHECK(expiry(token) == 1700000000);
  CHECK(subject(token) == "u-1");
  CHECK_FALSE(expiry("not-a-token").has_value());
  CHECK_FALSE(expiry("a." + base64url_encode("[1]") + ".b").has_value());
}
