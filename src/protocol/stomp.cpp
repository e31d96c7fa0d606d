#include "protocol/stomp.hpp"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace whisp::stomp {
namespace {

// MESSAGE first: it is the hot one on a client.
constexpr std::string_view known_commands[] = {
    "MESSAGE",     "RECEIPT", "ERROR", "CONNECTED", "CONNECT", "STOMP", "SEND",      "SUBSCRIBE",
    "UNSUBSCRIBE", "ACK",     "NACK",  "BEGIN",     "COMMIT",  "ABORT", "DISCONNECT"};

bool is_known_command(std::string_view command) {
  for (std::string_view known : known_commands) {
    if (known == command) return true;
  }
  return false;
}

/// CONNECT and CONNECTED carry their header bytes verbatim (STOMP 1.2, "Value Encoding").
bool escapes_apply(std::string_view command) {
  return command != "CONNECT" && command != "CONNECTED";
}

void append_byte_shown(std::string& out, unsigned char c) {
  if (c >= 0x20 && c < 0x7f) {
    out += static_cast<char>(c);
  } else {
    char hex[5];
    std::snprintf(hex, sizeof hex, "\\x%02x", c);
    out += hex;
  }
}

/// Bytes for an error message: quoted, non-printables as \xNN, at most 64 bytes shown.
std::string quote(std::string_view bytes) {
  constexpr std::size_t max_shown = 64;
  std::string out = "'";
  for (std::size_t i = 0; i < bytes.size() && i < max_shown; ++i) {
    append_byte_shown(out, static_cast<unsigned char>(bytes[i]));
  }
  if (bytes.size() > max_shown) out += "...";
  out += '\'';
  return out;
}

/// Unescapes `raw` into `out` (\r \n \c \\). On an invalid or incomplete escape returns false
/// and describes it in `why`.
bool unescape(std::string_view raw, std::string& out, std::string& why) {
  const void* first = std::memchr(raw.data(), '\\', raw.size());
  if (first == nullptr) {
    out.assign(raw.data(), raw.size());
    return true;
  }
  out.clear();
  out.reserve(raw.size());
  std::size_t i = 0;
  while (i < raw.size()) {
    const char* bs = static_cast<const char*>(std::memchr(raw.data() + i, '\\', raw.size() - i));
    if (bs == nullptr) {
      out.append(raw.data() + i, raw.size() - i);
      break;
    }
    const auto at = static_cast<std::size_t>(bs - raw.data());
    out.append(raw.data() + i, at - i);
    if (at + 1 == raw.size()) {
      why = "incomplete header escape at end";
      return false;
    }
    switch (raw[at + 1]) {
      case 'r':
        out += '\r';
        break;
      case 'n':
        out += '\n';
        break;
      case 'c':
        out += ':';
        break;
      case '\\':
        out += '\\';
        break;
      default:
        why = "invalid header escape \\";
        append_byte_shown(why, static_cast<unsigned char>(raw[at + 1]));
        return false;
    }
    i = at + 2;
  }
  return true;
}

void append_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case ':':
        out += "\\c";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        out += c;
    }
  }
}

void append_number(std::string& out, std::size_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  (void)ec;  // 24 digits always suffice
  out.append(digits, end);
}

}  // namespace

std::optional<std::string_view> Frame::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return std::string_view(v);
  }
  return std::nullopt;
}

Frame& Frame::add(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

Parser::Parser(ParserLimits limits) : limits_(limits) {}

void Parser::feed(std::string_view bytes) {
  if (error_) return;
  constexpr std::size_t compact_min = 4096;
  if (pos_ == buffer_.size()) {
    buffer_.clear();  // keeps the capacity
    pos_ = 0;
  } else if (pos_ >= compact_min && pos_ >= buffer_.size() - pos_) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(bytes.data(), bytes.size());
}

Result<std::optional<Item>> Parser::next() {
  if (error_) return *error_;
  std::optional<Item> item;
  if (!step(item)) return *error_;
  return item;
}

bool Parser::fail(ErrorCode code, std::string message) {
  error_ = Error{code, std::move(message)};
  return false;
}

bool Parser::step(std::optional<Item>& item) {
  const char* base = buffer_.data() + pos_;
  const std::size_t avail = buffer_.size() - pos_;

  if (stage_ == Stage::idle) {
    if (avail == 0) return true;
    if (base[0] == '\n' || base[0] == '\r') {
      if (base[0] == '\r') {
        if (avail < 2) return true;
        if (base[1] != '\n')
          return fail(ErrorCode::protocol_error, "CR not followed by LF between frames");
      }
      pos_ += base[0] == '\r' ? 2 : 1;
      item.emplace(HeartBeat{});
      return true;
    }
    stage_ = Stage::command;
    line_start_ = scan_ = 0;
    frame_.headers.reserve(8);  // one allocation for a typical frame's headers
  }

  while (stage_ == Stage::command || stage_ == Stage::headers) {
    const void* lf = std::memchr(base + scan_, '\n', avail - scan_);
    const std::size_t line_end =
        lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - base) : avail;
    // The limits are checked at the byte where they are first exceeded, whatever the split.
    const std::size_t seen = lf ? line_end + 1 : avail;
    const std::size_t line_over = line_start_ + limits_.max_header_line + 1;
    const std::size_t frame_over = limits_.max_frame_bytes + 1;
    const bool line_too_long = line_end - line_start_ > limits_.max_header_line;
    const bool frame_too_big = seen > limits_.max_frame_bytes;
    if (frame_too_big && (!line_too_long || frame_over <= line_over)) {
      return fail(ErrorCode::frame_too_large,
                  "frame exceeds " + std::to_string(limits_.max_frame_bytes) + " bytes");
    }
    if (line_too_long) {
      return fail(ErrorCode::frame_too_large,
                  std::string(stage_ == Stage::command ? "command" : "header") + " line exceeds " +
                      std::to_string(limits_.max_header_line) + " bytes");
    }
    if (!lf) {
      scan_ = avail;
      return true;
    }
    std::size_t content_end = line_end;
    if (content_end > line_start_ && base[content_end - 1] == '\r') --content_end;
    const std::string_view line(base + line_start_, content_end - line_start_);
    line_start_ = scan_ = line_end + 1;
    if (!take_line(line)) return false;
  }

  if (has_content_length_) {
    const std::size_t nul_at = body_start_ + content_length_;
    if (avail <= nul_at) return true;
    if (base[nul_at] != '\0') {
      return fail(ErrorCode::protocol_error,
                  "missing NUL after " + std::to_string(content_length_) + "-byte body");
    }
    frame_.body.assign(base + body_start_, content_length_);
    pos_ += nul_at + 1;
  } else {
    // Only the bytes that may still belong to a frame within the limit are searched.
    const std::size_t from = scan_ > body_start_ ? scan_ : body_start_;
    const std::size_t until = avail < limits_.max_frame_bytes ? avail : limits_.max_frame_bytes;
    const void* nul = from < until ? std::memchr(base + from, '\0', until - from) : nullptr;
    if (nul == nullptr) {
      if (avail > limits_.max_frame_bytes) {
        return fail(ErrorCode::frame_too_large,
                    "frame exceeds " + std::to_string(limits_.max_frame_bytes) + " bytes");
      }
      scan_ = avail;
      return true;
    }
    const auto nul_at = static_cast<std::size_t>(static_cast<const char*>(nul) - base);
    frame_.body.assign(base + body_start_, nul_at - body_start_);
    pos_ += nul_at + 1;
  }

  item.emplace(std::move(frame_));
  frame_.command.clear();
  frame_.headers.clear();
  frame_.body.clear();
  stage_ = Stage::idle;
  return true;
}

bool Parser::take_line(std::string_view line) {
  if (std::memchr(line.data(), '\0', line.size()) != nullptr) {
    return fail(ErrorCode::protocol_error, std::string("NUL byte in ") +
                                               (stage_ == Stage::command ? "command" : "header") +
                                               " line " + quote(line));
  }
  if (std::memchr(line.data(), '\r', line.size()) != nullptr) {
    return fail(ErrorCode::protocol_error, std::string("bare CR in ") +
                                               (stage_ == Stage::command ? "command" : "header") +
                                               " line " + quote(line));
  }
  if (stage_ == Stage::command) {
    if (!is_known_command(line)) {
      return fail(ErrorCode::protocol_error, "unknown command " + quote(line));
    }
    frame_.command.assign(line.data(), line.size());
    escapes_ = escapes_apply(line);
    stage_ = Stage::headers;
    return true;
  }
  if (line.empty()) return start_body();
  return parse_header(line);
}

bool Parser::parse_header(std::string_view line) {
  if (frame_.headers.size() >= limits_.max_headers) {
    return fail(ErrorCode::frame_too_large,
                "frame has more than " + std::to_string(limits_.max_headers) + " headers");
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return fail(ErrorCode::protocol_error, "header line " + quote(line) + " has no ':'");
  }
  if (colon == 0) {
    return fail(ErrorCode::protocol_error, "header line " + quote(line) + " has an empty name");
  }
  const std::string_view raw_name = line.substr(0, colon);
  const std::string_view raw_value = line.substr(colon + 1);
  auto& [name, value] = frame_.headers.emplace_back();
  if (!escapes_) {
    name.assign(raw_name.data(), raw_name.size());
    value.assign(raw_value.data(), raw_value.size());
    return true;
  }
  std::string why;
  if (!unescape(raw_name, name, why)) {
    return fail(ErrorCode::protocol_error, why + " in header name " + quote(raw_name));
  }
  if (!unescape(raw_value, value, why)) {
    return fail(ErrorCode::protocol_error, why + " in header " + quote(name));
  }
  return true;
}

bool Parser::start_body() {
  body_start_ = line_start_;
  stage_ = Stage::body;
  has_content_length_ = false;
  const std::optional<std::string_view> cl = frame_.header("content-length");
  if (!cl) return true;
  bool digits = !cl->empty();
  for (char c : *cl) digits = digits && c >= '0' && c <= '9';
  if (!digits) {
    return fail(ErrorCode::protocol_error, "content-length " + quote(*cl) + " is not a number");
  }
  // Stops once past the frame limit (or size_t), so any length of digits is safe. The frame
  // ends at body_start_ + length + 1, which must stay within the limit (body_start_ already is).
  std::size_t length = 0;
  bool too_large = false;
  for (char c : *cl) {
    const auto digit = static_cast<std::size_t>(c - '0');
    if (length > (SIZE_MAX - digit) / 10) {
      too_large = true;
      break;
    }
    length = length * 10 + digit;
  }
  if (too_large || length >= limits_.max_frame_bytes - body_start_) {
    return fail(ErrorCode::frame_too_large, "frame exceeds " +
                                                std::to_string(limits_.max_frame_bytes) +
                                                " bytes (content-length " + std::string(*cl) + ")");
  }
  content_length_ = length;
  has_content_length_ = true;
  return true;
}

std::string encode(const Frame& frame) {
  const bool escape = escapes_apply(frame.command);
  std::size_t size = frame.command.size() + frame.body.size() + 32;
  for (const auto& [n, v] : frame.headers) size += n.size() + v.size() + 2;
  std::string out;
  out.reserve(size);
  out += frame.command;
  out += '\n';
  bool length_written = false;
  auto write_length = [&] {
    out += "content-length:";
    append_number(out, frame.body.size());
    out += '\n';
    length_written = true;
  };
  for (const auto& [name, value] : frame.headers) {
    if (name == "content-length") {
      if (!length_written) write_length();  // replaced in place; later copies dropped
      continue;
    }
    if (escape) {
      append_escaped(out, name);
      out += ':';
      append_escaped(out, value);
    } else {
      out += name;
      out += ':';
      out += value;
    }
    out += '\n';
  }
  if (!length_written && !frame.body.empty()) write_length();
  out += '\n';
  out += frame.body;
  out += '\0';
  return out;
}

Result<std::pair<unsigned, unsigned>> parse_heart_beat(std::string_view value) {
  const std::size_t comma = value.find(',');
  auto bad = [&](const std::string& why) {
    return Error{ErrorCode::protocol_error, "heart-beat " + quote(value) + " " + why};
  };
  if (comma == std::string_view::npos) return bad("is not 'cx,cy'");
  unsigned parts[2] = {0, 0};
  const std::string_view texts[2] = {value.substr(0, comma), value.substr(comma + 1)};
  for (int i = 0; i < 2; ++i) {
    const std::string_view t = texts[i];
    const char* end = t.data() + t.size();
    auto [ptr, ec] = std::from_chars(t.data(), end, parts[i]);
    if (t.empty() || ptr != end || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
      return bad("is not 'cx,cy' (" + quote(t) + " is not a number)");
    }
    if (ec == std::errc::result_out_of_range) return bad("has an out-of-range " + quote(t));
  }
  return std::pair<unsigned, unsigned>(parts[0], parts[1]);
}

}  // namespace whisp::stomp
