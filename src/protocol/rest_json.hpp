// Internal to src/protocol: the value-level reader and writer of MessageContent, shared by the
// REST decoders (Message.replyTo) and the REPLY event (replyTo).
#pragma once

#include "protocol/json_util.hpp"
#include "protocol/rest.hpp"

namespace whisp::rest {

/// Reads {chatId, timeStamp, messageId, senderId, content, edited, editedAt|null}.
bool read_message_content(json::Fields& f, MessageContent& out);
/// Writes the same object, in that field order.
void write_message_content(json::Writer& w, const MessageContent& v);

}  // namespace whisp::rest
