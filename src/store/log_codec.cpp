#include "store/log_codec.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#include "protocol/timestamp.hpp"

namespace whisp::store {
namespace {

// Markers with a payload. A UUID is `"` + 36 lowercase hex-and-dash characters + `"`; a repeat
// names an earlier UUID of the same line by its index (a history page repeats its chat id in
// every message).
constexpr unsigned char kUuid = 0x01;       // + 16 bytes
constexpr unsigned char kUuidAgain = 0x02;  // + 1 byte: index among the line's UUIDs
constexpr unsigned char kSelf = 0x03;       // `"` + self_id + `"`
constexpr unsigned char kTimestamp = 0x04;  // + 8 bytes, little-endian micros; canonical text
constexpr std::size_t kMaxUuids = 256;

// Byte sequences that stand for themselves in the dictionary below, longest first where one is
// a prefix of another (the first match wins). They are what the store's own encoders and the
// server write: event fields, REST DTO fields, the history-page envelope.
constexpr const char* kWords[] = {
    ",\"edited\":false,\"editedAt\":null,\"replyTo\":null,\"reactions\":[]}",
    "{\"entry\":\"history\",\"afterSeq\":",
    ",\"page\":{\"messages\":[",
    ",\"recipientId\":",
    ",\"parentMessageId\":",
    ",\"messageId\":",
    ",\"message\":",
    ",\"senderId\":",
    ",\"chatId\":",
    ",\"timeStamp\":",
    ",\"editedAt\":",
    ",\"edited\":false",
    ",\"edited\":true",
    ",\"replyTo\":null",
    ",\"replyTo\":",
    ",\"reactions\":[",
    ",\"content\":",
    ",\"reaction\":",
    ",\"createdAt\":",
    ",\"before\":",
    ",\"size\":",
    "{\"chatId\":",
    "{\"reactionId\":",
    "{\"type\":",
    "\"SEND_MSG\"",
    "\"REPLY\"",
    "\"REACT\"",
    "\"EDIT_MSG\"",
    "\"DELETE_MSG\"",
    "\"READ_MSG\"",
    "\"DELETE_REACT\"",
    "null",
};
constexpr std::size_t kWordCount = sizeof kWords / sizeof *kWords;

// The marker bytes of the words: control bytes JSON never holds raw (tab, LF and CR excepted)
// and bytes that never occur in UTF-8.
constexpr unsigned char kWordMarkers[] = {
    0x05, 0x06, 0x07, 0x08, 0x0B, 0x0C, 0x0E, 0x0F, 0x10, 0x11, 0x12, 0x13, 0x14,
    0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0xC0, 0xC1,
    0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF};
static_assert(kWordCount <= sizeof kWordMarkers, "a word without a marker byte");

struct Tables {
  std::array<bool, 256> reserved{};      // bytes that are markers
  std::array<int, 256> word_of{};        // marker byte -> word index, or -1
  std::array<std::size_t, kWordCount> length{};
  Tables() {
    word_of.fill(-1);
    for (unsigned char b : {kUuid, kUuidAgain, kSelf, kTimestamp}) reserved[b] = true;
    for (unsigned char b : kWordMarkers) reserved[b] = true;  // spare ones too: room to grow
    for (std::size_t i = 0; i < kWordCount; ++i) {
      word_of[kWordMarkers[i]] = static_cast<int>(i);
      length[i] = std::strlen(kWords[i]);
    }
  }
};
const Tables& tables() {
  static const Tables t;
  return t;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

constexpr bool is_dash_at(std::size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

// `s` at `i` is `"` + a lowercase UUID + `"`: writes its 16 bytes.
bool read_uuid(std::string_view s, std::size_t i, unsigned char (&bytes)[16]) {
  return s.size() - i >= 38 && s[i + 37] == '"' && uuid_bytes(s.substr(i + 1, 36), bytes);
}

void write_uuid(const unsigned char* bytes, std::string& out) {
  out += '"';
  append_uuid(bytes, out);
  out += '"';
}

// `s` at `i` is `"` + a timestamp exactly as format_timestamp writes it + `"`.
bool read_timestamp(std::string_view s, std::size_t i, std::int64_t& micros) {
  constexpr std::size_t kLen = 27;  // YYYY-MM-DDTHH:MM:SS.ffffffZ
  if (s.size() - i < kLen + 2 || s[i + kLen + 1] != '"' || s[i + 5] != '-' || s[i + 11] != 'T' ||
      s[i + kLen] != 'Z')
    return false;
  const std::string_view text = s.substr(i + 1, kLen);
  auto ts = parse_timestamp(text);
  if (!ts || !is_canonical_timestamp(text, ts->micros)) return false;
  micros = ts->micros;
  return true;
}

Error damaged(std::size_t at, const std::string& what) {
  return Error{ErrorCode::invalid_value,
               "packed log line: byte " + std::to_string(at) + ": " + what};
}

}  // namespace

bool uuid_bytes(std::string_view text, unsigned char (&bytes)[16]) {
  if (text.size() != 36) return false;
  std::size_t n = 0;
  for (std::size_t k = 0; k < 36; ++k) {
    const char c = text[k];
    if (is_dash_at(k)) {
      if (c != '-') return false;
      continue;
    }
    const int v = hex_value(c);
    if (v < 0) return false;
    if (n % 2 == 0) bytes[n / 2] = static_cast<unsigned char>(v << 4);
    else bytes[n / 2] = static_cast<unsigned char>(bytes[n / 2] | v);
    ++n;
  }
  return true;
}

void append_uuid(const unsigned char* bytes, std::string& out) {
  static constexpr char hex[] = "0123456789abcdef";
  std::size_t n = 0;
  for (std::size_t k = 0; k < 36; ++k) {
    if (is_dash_at(k)) {
      out += '-';
      continue;
    }
    const unsigned char b = bytes[n / 2];
    out += hex[n % 2 == 0 ? b >> 4 : b & 15];
    ++n;
  }
}

bool pack_line(std::string_view line, std::string_view self_id, std::string& out) {
  const Tables& t = tables();
  out.clear();
  out.reserve(line.size());
  unsigned char uuids[kMaxUuids][16];
  std::size_t uuid_count = 0;
  for (std::size_t i = 0; i < line.size();) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (t.reserved[c]) return false;
    if (c == '"') {
      if (!self_id.empty() && line.size() - i >= self_id.size() + 2 &&
          line.compare(i + 1, self_id.size(), self_id) == 0 && line[i + 1 + self_id.size()] == '"') {
        out += static_cast<char>(kSelf);
        i += self_id.size() + 2;
        continue;
      }
      unsigned char bytes[16];
      if (read_uuid(line, i, bytes)) {
        std::size_t k = 0;
        while (k < uuid_count && std::memcmp(uuids[k], bytes, 16) != 0) ++k;
        if (k < uuid_count) {
          out += static_cast<char>(kUuidAgain);
          out += static_cast<char>(k);
        } else {
          out += static_cast<char>(kUuid);
          out.append(reinterpret_cast<const char*>(bytes), 16);
          if (uuid_count < kMaxUuids) std::memcpy(uuids[uuid_count++], bytes, 16);
        }
        i += 38;
        continue;
      }
      std::int64_t micros = 0;
      if (read_timestamp(line, i, micros)) {
        out += static_cast<char>(kTimestamp);
        auto u = static_cast<std::uint64_t>(micros);
        for (int b = 0; b < 8; ++b) out += static_cast<char>((u >> (8 * b)) & 0xFF);
        i += 29;
        continue;
      }
    }
    if (c == '"' || c == ',' || c == '{' || c == 'n') {
      bool matched = false;
      for (std::size_t w = 0; w < kWordCount; ++w) {
        if (static_cast<unsigned char>(kWords[w][0]) != c) continue;
        if (line.compare(i, t.length[w], kWords[w], t.length[w]) != 0) continue;
        out += static_cast<char>(kWordMarkers[w]);
        i += t.length[w];
        matched = true;
        break;
      }
      if (matched) continue;
    }
    out += static_cast<char>(c);
    ++i;
  }
  return true;
}

Status unpack_line(std::string_view packed, std::string_view self_id, std::string& out) {
  const Tables& t = tables();
  out.clear();
  out.reserve(packed.size() * 2 + 64);
  const unsigned char* uuids[kMaxUuids];
  std::size_t uuid_count = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(packed.data());
  for (std::size_t i = 0; i < packed.size();) {
    const unsigned char c = p[i];
    if (!t.reserved[c]) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    switch (c) {
      case kUuid:
        if (packed.size() - i < 17) return damaged(i, "a UUID cut short");
        write_uuid(p + i + 1, out);
        if (uuid_count < kMaxUuids) uuids[uuid_count++] = p + i + 1;
        i += 17;
        break;
      case kUuidAgain: {
        if (packed.size() - i < 2) return damaged(i, "a repeated UUID without its index");
        const std::size_t k = p[i + 1];
        if (k >= uuid_count) return damaged(i, "repeats UUID " + std::to_string(k) + " of " +
                                                   std::to_string(uuid_count));
        write_uuid(uuids[k], out);
        i += 2;
        break;
      }
      case kSelf:
        if (self_id.empty()) return damaged(i, "names the store's user, but none is given");
        out += '"';
        out.append(self_id);
        out += '"';
        ++i;
        break;
      case kTimestamp: {
        if (packed.size() - i < 9) return damaged(i, "a timestamp cut short");
        std::uint64_t u = 0;
        for (int b = 0; b < 8; ++b) u |= static_cast<std::uint64_t>(p[i + 1 + b]) << (8 * b);
        out += '"';
        out += format_timestamp(static_cast<std::int64_t>(u));
        out += '"';
        i += 9;
        break;
      }
      default:
        if (t.word_of[c] < 0) return damaged(i, "an unassigned marker byte");
        out.append(kWords[t.word_of[c]], t.length[static_cast<std::size_t>(t.word_of[c])]);
        ++i;
        break;
    }
  }
  return Ok{};
}

Result<std::string_view> stored_line(std::string_view bytes, bool packed, std::string_view self_id,
                                     std::string& buf) {
  if (!packed) return bytes;
  if (auto st = unpack_line(bytes, self_id, buf); !st) return st.error();
  return std::string_view(buf);
}

}  // namespace whisp::store
