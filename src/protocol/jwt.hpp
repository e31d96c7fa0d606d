// Reading the claims of a JWT the server issued, without verifying it (the client cannot: it
// does not hold the key). The engine only needs the expiry, to refresh before a reconnect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace whisp::jwt {

/// Base64url without padding (RFC 4648 section 5), as JWT segments use it.
std::string base64url_encode(std::string_view bytes);
/// Decodes base64url (padding optional); nullopt for a character outside the alphabet.
std::optional<std::string> base64url_decode(std::string_view text);

/// The `exp` claim (seconds since the epoch) of a JWT, or nullopt when the token has no
/// readable payload or no numeric `exp`.
std::optional<std::int64_t> expiry(std::string_view token);

/// The `sub` claim, or nullopt.
std::optional<std::string> subject(std::string_view token);

}  // namespace whisp::jwt
