// Unit tests of the dev server's pieces that need no socket: base64url, JWTs, password hashes,
// the fault JSON.
#include <catch2/catch.hpp>

#include "crypto.hpp"
#include "faults.hpp"
#include "jwt.hpp"

namespace whisp::devserver {

TEST_CASE("base64url round-trips every length and refuses foreign characters") {
  for (std::size_t n = 0; n < 40; ++n) {
    const auto bytes = random_bytes(n);
    const auto text = base64url_encode(bytes);
    CHECK(text.find_first_of("+/=") == std::string::npos);
    CHECK(base64url_decode(text) == bytes);
  }
  CHECK(base64url_encode("hello") == "aGVsbG8");
  CHECK_FALSE(base64url_decode("a*b").has_value());
}

TEST_CASE("a JWT verifies until it expires and not after any byte changes") {
  JwtIssuer issuer(random_bytes(32), 60);
  const auto token = issuer.issue("user-1", "ann", 1000);
  auto claims = issuer.verify(token, 1001);
  REQUIRE(claims.ok());
  CHECK(claims->user_id == "user-1");
  CHECK(claims->username == "ann");
  CHECK(claims->expires_at == 1060);
  auto expired = issuer.verify(token, 1060);
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.error().message.find("expired") != std::string::npos);
  CHECK(issuer.verify(token, 5000, /*check_expiry=*/false).ok());
  for (std::size_t i = 0; i < token.size(); i += 5) {
    auto t = token;
    t[i] = t[i] == 'a' ? 'b' : 'a';
    CHECK_FALSE(issuer.verify(t, 1001).ok());
  }
  JwtIssuer other(random_bytes(32), 60);
  CHECK_FALSE(other.verify(token, 1001).ok());
}

TEST_CASE("passwords are stored salted and hashed and verify only with the right password") {
  const auto a = hash_password("secret", 1000);
  const auto b = hash_password("secret", 1000);
  CHECK(a.salt != b.salt);
  CHECK(a.hash != b.hash);
  CHECK(a.hash.find("secret") == std::string::npos);
  CHECK(verify_password("secret", a));
  CHECK_FALSE(verify_password("Secret", a));
}

TEST_CASE("the fault JSON updates only the keys it names and refuses bad values") {
  auto u = parse_fault_update(R"({"dropEvery":4,"seed":9,"rejectMode":"error"})");
  REQUIRE(u.ok());
  Faults f;
  f.update(*u);
  CHECK(f.config().drop_every == 4);
  CHECK(f.config().reject_mode == RejectMode::error);
  CHECK(f.config().duplicate == 0.0);
  CHECK_FALSE(parse_fault_update(R"({"storeThenDrop":1.5})").ok());
  CHECK_FALSE(parse_fault_update(R"({"rejectMode":"loud"})").ok());
  CHECK_FALSE(parse_fault_update(R"({"delayMs":-1})").ok());
  CHECK_FALSE(parse_fault_update("[1]").ok());
  SECTION("dropEvery counts every frame and fires on each multiple") {
    std::vector<bool> fired;
    for (int i = 0; i < 8; ++i) fired.push_back(f.count_frame_and_check_drop());
    CHECK(fired == std::vector<bool>{false, false, false, true, false, false, false, true});
  }
  SECTION("max_closes stops the closing switches after that many closes, until set again") {
    FaultUpdate limit;
    limit.max_closes = 2;
    limit.drop_before_store = 1.0;
    limit.store_then_drop = 1.0;
    f.update(limit);
    CHECK(f.drop_before_store());
    CHECK(f.store_then_drop());
    CHECK_FALSE(f.drop_before_store());
    CHECK_FALSE(f.store_then_drop());
    std::vector<bool> fired;
    for (int i = 0; i < 8; ++i) fired.push_back(f.count_frame_and_check_drop());
    CHECK(fired == std::vector<bool>(8, false));
    f.update(limit);  // a new budget
    CHECK(f.drop_before_store());
    limit = FaultUpdate{};
    limit.max_closes = 0;  // no limit
    f.update(limit);
    for (int i = 0; i < 5; ++i) CHECK(f.drop_before_store());
    CHECK_FALSE(parse_fault_update(R"({"maxCloses":2})").ok());  // not an admin key
  }
}

}  // namespace whisp::devserver
