// The packed form of a log line: how the store keeps the JSON of each log entry in less space.
//
// A log line is mostly the same few things over and over: field names, event types, UUIDs (36
// characters for 16 bytes) and timestamps in the canonical form (27 characters for 8 bytes).
// The packed form replaces those by marker bytes that JSON text never holds (control bytes and
// bytes no UTF-8 text contains) and keeps every other byte as it is. So the code is lossless
// for any input by construction: `unpack_line(pack_line(x))` is `x`, byte for byte, whether or
// not `x` is JSON at all; a line that already holds a marker byte is not packed (the store
// keeps it as text). Each line is packed on its own, so any line unpacks without the others.
//
// Cost: one pass over the line, with a table lookup at each `"`, `,` and `{`; no allocation
// beyond the output. A live SEND_MSG shrinks from about 330 to about 130 bytes.
#pragma once

#include <string>
#include <string_view>

#include "whisp/result.hpp"

namespace whisp::store {

/// The 16 bytes of `text` when it is a UUID in lowercase, dashed form (36 characters).
bool uuid_bytes(std::string_view text, unsigned char (&bytes)[16]);

/// Appends the lowercase, dashed form of a UUID's 16 bytes.
void append_uuid(const unsigned char* bytes, std::string& out);

/// Packs `line` into `out` (replacing its contents). `self_id` (the store's user, may be empty)
/// gets a one-byte code of its own: every live event names it as the recipient. Returns false,
/// with `out` unspecified, when `line` holds a byte the code reserves; keep `line` as it is then.
bool pack_line(std::string_view line, std::string_view self_id, std::string& out);

/// Unpacks what pack_line made with the same `self_id` into `out`. A damaged input gives an
/// error naming the byte offset and what is wrong with it.
Status unpack_line(std::string_view packed, std::string_view self_id, std::string& out);

/// The JSON of a line as the log table keeps it: a packed line (the store writes those as BLOBs)
/// is unpacked into `buf`; a text line (one pack_line left alone, or from a version-3 store) is
/// `bytes` itself.
Result<std::string_view> stored_line(std::string_view bytes, bool packed, std::string_view self_id,
                                     std::string& buf);

}  // namespace whisp::store
