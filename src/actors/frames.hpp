// The STOMP frames the engine sends, built in one place so the size check that refuses an
// oversized action (PROTOCOL.md section 3: over 64 KiB the server drops the connection) sees
// exactly the bytes that would go on the wire.
#pragma once

#include <string>
#include <string_view>

#include "protocol/stomp.hpp"

namespace whisp::actors {

/// CONNECT with accept-version 1.2, the heart-beat we offer and the JWT.
std::string connect_frame(std::string_view host, std::string_view jwt, unsigned heart_beat_ms);
/// SUBSCRIBE to the own user queue.
std::string subscribe_frame(std::string_view user_id);
/// SEND of an action body to /api/chat, with a receipt header naming the local id, so an ERROR
/// can be traced back to the action that caused it.
std::string send_frame(std::string_view body, std::string_view receipt);
/// DISCONNECT, for a graceful close.
std::string disconnect_frame();

}  // namespace whisp::actors
