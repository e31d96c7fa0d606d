// Small cryptographic helpers of the dev server, all on OpenSSL: random bytes, uuids, base64url,
// HMAC-SHA256 and PBKDF2 password hashing. Thread-safe (OpenSSL 1.1+ is).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace whisp::devserver {

/// `n` cryptographically random bytes.
std::string random_bytes(std::size_t n);

/// A random (version 4) uuid in the canonical 8-4-4-4-12 lower-case form.
std::string uuid_v4();

/// A random opaque token: `n` random bytes, base64url without padding.
std::string random_token(std::size_t n = 32);

std::string base64url_encode(std::string_view bytes);
/// Decodes unpadded (or padded) base64url; nullopt on a character outside the alphabet or a
/// non-canonical ending (set padding bits).
std::optional<std::string> base64url_decode(std::string_view text);

/// HMAC-SHA256 of `data` under `key` (32 raw bytes).
std::string hmac_sha256(std::string_view key, std::string_view data);

/// Compares without an early exit (for signatures and hashes).
bool constant_time_equal(std::string_view a, std::string_view b);

/// A stored password: PBKDF2-HMAC-SHA256 with a random 16-byte salt.
struct PasswordHash {
  std::string salt;   // raw bytes
  std::string hash;   // raw 32 bytes
  unsigned iterations = 0;
};

PasswordHash hash_password(std::string_view password, unsigned iterations);
bool verify_password(std::string_view password, const PasswordHash& stored);

}  // namespace whisp::devserver
