// libFuzzer target for the STOMP codec. For each input it checks:
//  - the parser never crashes, leaks or trips a sanitizer;
//  - the items and the error do not depend on how the bytes are split: whole, in three chunks
//    cut at data-derived points, and byte by byte (over 512 bytes: in chunks of a data-derived
//    2..62 bytes); with the default limits and with small data-derived ones, so that the limit
//    paths are exercised too;
//  - every frame parsed survives encode -> parse: same command, body and headers (content-length
//    aside, which the encoder rewrites byte-exact), and re-encoding gives the same bytes;
//  - a heart-beat header that parses holds exactly "cx,cy" in digits.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/stomp.hpp"

namespace {

using whisp::Error;
using whisp::stomp::Frame;
using whisp::stomp::Item;
using whisp::stomp::Parser;
using whisp::stomp::ParserLimits;

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "fuzz_stomp: check failed at line %d: %s\n", __LINE__, #cond); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

struct Parsed {
  std::vector<Item> items;
  std::optional<Error> error;
  std::size_t buffered = 0;
};

Parsed parse(const std::vector<std::string_view>& chunks, const ParserLimits& limits) {
  Parser parser(limits);
  Parsed out;
  for (std::string_view chunk : chunks) {
    parser.feed(chunk);
    while (true) {
      auto r = parser.next();
      if (!r.ok()) {
        out.error = r.error();
        auto again = parser.next();  // poisoned: the same error again
        FUZZ_CHECK(!again.ok() && again.error() == r.error());
        return out;
      }
      if (!r.value()) break;
      out.items.push_back(std::move(*r.value()));
    }
  }
  out.buffered = parser.buffered();
  return out;
}

void check_same(const Parsed& a, const Parsed& b) {
  FUZZ_CHECK(a.items == b.items);
  FUZZ_CHECK(a.error == b.error);
  if (!a.error) FUZZ_CHECK(a.buffered == b.buffered);
}

std::vector<std::pair<std::string, std::string>> without_length(const Frame& f) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& h : f.headers) {
    if (h.first != "content-length") out.push_back(h);
  }
  return out;
}

void check_round_trip(const Frame& f) {
  const std::string bytes = whisp::stomp::encode(f);
  ParserLimits roomy;
  roomy.max_frame_bytes = bytes.size();
  roomy.max_headers = f.headers.size() + 1;
  roomy.max_header_line = bytes.size();
  Parser parser(roomy);
  parser.feed(bytes);
  auto r = parser.next();
  FUZZ_CHECK(r.ok() && r.value() && std::holds_alternative<Frame>(*r.value()));
  const Frame& g = std::get<Frame>(*r.value());
  FUZZ_CHECK(g.command == f.command);
  FUZZ_CHECK(g.body == f.body);
  FUZZ_CHECK(without_length(g) == without_length(f));
  if (!f.body.empty()) FUZZ_CHECK(g.header("content-length") == std::to_string(f.body.size()));
  FUZZ_CHECK(whisp::stomp::encode(g) == bytes);
  auto rest = parser.next();
  FUZZ_CHECK(rest.ok() && !rest.value() && parser.buffered() == 0);
}

void check_heart_beat(std::string_view value) {
  auto hb = whisp::stomp::parse_heart_beat(value);
  if (!hb.ok()) return;
  const std::size_t comma = value.find(',');
  FUZZ_CHECK(comma != std::string_view::npos);
  for (std::size_t i = 0; i < value.size(); ++i) {
    FUZZ_CHECK(i == comma || (value[i] >= '0' && value[i] <= '9'));
  }
  FUZZ_CHECK(std::stoull(std::string(value.substr(0, comma))) == hb.value().first);
  FUZZ_CHECK(std::stoull(std::string(value.substr(comma + 1))) == hb.value().second);
}

void check_limits(std::string_view input, const ParserLimits& limits, std::size_t cut1,
                  std::size_t cut2, std::size_t stride) {
  const Parsed whole = parse({input}, limits);
  check_same(
      whole,
      parse({input.substr(0, cut1), input.substr(cut1, cut2 - cut1), input.substr(cut2)}, limits));
  // Small inputs byte by byte; larger ones in small chunks (byte by byte is slow under ASan).
  const std::size_t step = input.size() <= 512 ? 1 : stride;
  std::vector<std::string_view> pieces;
  for (std::size_t i = 0; i < input.size(); i += step) pieces.push_back(input.substr(i, step));
  check_same(whole, parse(pieces, limits));

  for (const Item& item : whole.items) {
    if (const Frame* f = std::get_if<Frame>(&item)) {
      FUZZ_CHECK(f->headers.size() <= limits.max_headers);
      check_round_trip(*f);
      for (const auto& [name, value] : f->headers) {
        if (name == "heart-beat") check_heart_beat(value);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::uint32_t h = 2166136261u;  // FNV-1a: split points and limits follow the data
  for (std::uint8_t b : input) h = (h ^ b) * 16777619u;
  std::size_t cut1 = size == 0 ? 0 : h % (size + 1);
  std::size_t cut2 = size == 0 ? 0 : (h >> 16) % (size + 1);
  if (cut1 > cut2) std::swap(cut1, cut2);
  const std::size_t stride = 2 + (h >> 20) % 61;

  check_limits(input, ParserLimits{}, cut1, cut2, stride);

  ParserLimits small;
  small.max_frame_bytes = 8 + h % 120;
  small.max_headers = (h >> 8) % 5;
  small.max_header_line = 1 + (h >> 12) % 40;
  check_limits(input, small, cut1, cut2, stride);
  return 0;
}
