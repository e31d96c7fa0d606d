// STOMP 1.2 codec, sans-IO: bytes in, frames out; frames in, bytes out.
// No sockets, clocks or threads. The WebSocket layer feeds whatever bytes arrive (message
// boundaries mean nothing to STOMP) and pulls complete frames. See PROTOCOL.md section 3.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "whisp/result.hpp"

namespace whisp::stomp {

/// One STOMP frame. Headers keep their wire order, repeated names included; `header()` returns
/// the first occurrence, as STOMP 1.2 requires. Values are unescaped.
struct Frame {
  std::string command;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // may hold NUL bytes when a content-length was given

  /// First value of header `name`, or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
  /// Appends a header (no de-duplication).
  Frame& add(std::string name, std::string value);

  friend bool operator==(const Frame& a, const Frame& b) {
    return a.command == b.command && a.headers == b.headers && a.body == b.body;
  }
};

/// An EOL between frames: the peer is alive.
struct HeartBeat {
  friend bool operator==(const HeartBeat&, const HeartBeat&) { return true; }
};

using Item = std::variant<Frame, HeartBeat>;

struct ParserLimits {
  std::size_t max_frame_bytes = 1024 * 1024;  // command's first byte to the NUL, inclusive
  std::size_t max_headers = 64;
  std::size_t max_header_line = 8 * 1024;
};

/// Incremental STOMP parser. Feed it any split of the byte stream; call `next()` until it
/// returns nullopt (needs more bytes). After an error the parser is poisoned: every later call
/// returns the same error (the connection must be closed) and feed() drops its bytes.
///
/// Items and errors do not depend on how the stream is split: a limit is reported at the byte
/// where it is first exceeded, any other error when the line or body that holds it is complete.
/// Limits: a frame counts from the first byte of its command to its terminating NUL inclusive;
/// a line (command or header) counts its bytes before the LF, a CR of a CRLF included.
/// Header lines are split at the first ':' (later colons belong to the value, as brokers send
/// them); a bare CR or a NUL in a line, an empty header name and an unknown command are errors.
///
/// Cost: amortised O(bytes); a frame is copied once into its Frame; the buffer is compacted
/// lazily (when emptied, or when its consumed prefix outgrows the rest).
class Parser {
 public:
  explicit Parser(ParserLimits limits = {});

  /// Appends bytes to the internal buffer. Cheap; parsing happens in next().
  void feed(std::string_view bytes);

  /// The next complete item, nullopt when more bytes are needed, or an Error (protocol_error,
  /// frame_too_large) that names what was wrong.
  Result<std::optional<Item>> next();

  /// Bytes buffered and not yet returned as an item.
  std::size_t buffered() const { return buffer_.size() - pos_; }

 private:
  enum class Stage : unsigned char { idle, command, headers, body };

  bool step(std::optional<Item>& item);   // false: error_ is set
  bool take_line(std::string_view line);  // command or header line, EOL stripped
  bool parse_header(std::string_view line);
  bool start_body();  // after the blank line
  bool fail(ErrorCode code, std::string message);

  ParserLimits limits_;
  std::string buffer_;
  std::size_t pos_ = 0;  // start of the frame (or heart-beat) being parsed
  std::optional<Error> error_;

  // State of the frame in progress; offsets are relative to pos_, so compaction keeps them.
  Stage stage_ = Stage::idle;
  Frame frame_;
  bool escapes_ = true;         // false for CONNECT / CONNECTED
  std::size_t line_start_ = 0;  // first byte of the line being read
  std::size_t scan_ = 0;        // bytes before this were searched already
  std::size_t body_start_ = 0;
  std::size_t content_length_ = 0;
  bool has_content_length_ = false;
};

/// Encodes a frame: LF line ends, escaped header values (except CONNECT/CONNECTED), a
/// byte-exact `content-length` whenever the body is non-empty (one already present is replaced),
/// the terminating NUL.
/// Details: names are escaped like values; a given content-length is rewritten in place (also
/// for an empty body, as 0) and its repeats dropped; otherwise it is appended last. The caller
/// gives a known command and non-empty names; in CONNECT/CONNECTED nothing can be escaped, so
/// names there must not hold ':' and values must not hold CR or LF.
/// For every frame the parser returns, parse(encode(f)) equals f up to content-length headers.
std::string encode(const Frame& frame);

/// The bytes of one heart-beat.
inline std::string_view heart_beat_bytes() {
  return "\n";
}

/// Parses a `heart-beat` header value "cx,cy" (milliseconds). Error names the value.
Result<std::pair<unsigned, unsigned>> parse_heart_beat(std::string_view value);

}  // namespace whisp::stomp
