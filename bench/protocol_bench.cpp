// Issue 2's protocol benchmark: bytes of realistic STOMP MESSAGE frames (seed-like SEND_MSG
// bodies with varied ids and texts over 100 chats, a content-length on every frame, as the
// server sends them) through whisp::stomp::Parser and whisp::decode_event, in frames/s, next to
// a baseline measured in the same run on the same bodies: RapidJSON parsing each body into a
// fresh Document and nothing else. Target: value >= 0.5 x baseline.
//
// Usage: protocol_bench [FRAMES=1000000] [ROUNDS=3]   (the best round of each is reported)
#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/events.hpp"
#include "protocol/stomp.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// A small deterministic generator, so every run measures the same bytes.
struct Rng {
  std::uint64_t s = 0x243f6a8885a308d3ULL;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

std::string uuid(Rng& r) {
  static const char* hex = "0123456789abcdef";
  std::string u(36, '-');
  for (std::size_t i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    u[i] = hex[r.below(16)];
  }
  u[14] = '4';
  return u;
}

const char* const kWords[] = {
    "hello", "world", "the", "meeting", "is", "at", "noon", "see", "you", "there", "ok",
    "thanks!", "can", "we", "move", "it", "to", "tomorrow?", "sure", "I'll", "send", "the",
    "notes", "after", "lunch", "caf\\u00e9", "\\ud83d\\udc4d", "déjà", "vu", "\\\"quoted\\\"",
    "line\\nbreak", "ümlaut", "日本語", "price", "42", "€"};

std::string text(Rng& r) {
  std::string t;
  const std::size_t words = 1 + r.below(24);  // 1..24 words: ~5..150 bytes
  for (std::size_t i = 0; i < words; ++i) {
    if (i) t += ' ';
    t += kWords[r.below(sizeof kWords / sizeof kWords[0])];
  }
  return t;
}

std::string time_stamp(Rng& r, std::size_t n) {
  // 2024-01-15T10:30:00 onwards, one frame every ~50 ms, with 0, 3, 6 or 9 fraction digits.
  const std::int64_t ms = 1705314600000LL + static_cast<std::int64_t>(n) * 50 +
                          static_cast<std::int64_t>(r.below(50));
  std::string s = whisp::format_timestamp(ms * 1000);  // "...:SS.ffffffZ"
  switch (r.below(4)) {
    case 0: s.erase(s.size() - 8, 7); break;           // no fraction
    case 1: s.erase(s.size() - 4, 3); break;           // milliseconds
    case 2: break;                                     // microseconds
    default: s.insert(s.size() - 1, "123"); break;     // nanoseconds
  }
  return s;
}

struct Workload {
  std::string stream;                                   // all frames, back to back
  std::vector<std::pair<std::size_t, std::size_t>> bodies;  // offset, length in `stream`
};

Workload generate(std::size_t frames) {
  Rng r;
  std::vector<std::string> chats, users;
  for (int i = 0; i < 100; ++i) chats.push_back(uuid(r));
  for (int i = 0; i < 400; ++i) users.push_back(uuid(r));
  const std::string self = users[0];
  const std::string destination = "/user/" + self + "/queue/messages";
  Workload w;
  w.stream.reserve(frames * 520);
  w.bodies.reserve(frames);
  std::string body;
  for (std::size_t n = 0; n < frames; ++n) {
    body = "{\"type\":\"SEND_MSG\",\"timeStamp\":\"" + time_stamp(r, n) + "\",\"chatId\":\"" +
           chats[r.below(chats.size())] + "\",\"message\":\"" + text(r) +
           "\",\"messageId\":\"" + uuid(r) + "\",\"recipientId\":\"" + self +
           "\",\"senderId\":\"" + users[r.below(users.size())] + "\"}";
    w.stream += "MESSAGE\ndestination:" + destination +
                "\ncontent-type:application/json\nsubscription:sub-0\nmessage-id:" +
                std::to_string(n) + "\ncontent-length:" + std::to_string(body.size()) + "\n\n";
    w.bodies.emplace_back(w.stream.size(), body.size());
    w.stream += body;
    w.stream += '\0';
  }
  return w;
}

volatile std::size_t g_sink;  // keeps results observable, so no loop is optimised away

// Baseline: each body into a fresh rapidjson::Document, nothing else.
double run_baseline(const Workload& w) {
  std::size_t members = 0, errors = 0;
  const auto t0 = Clock::now();
  for (const auto& [off, len] : w.bodies) {
    rapidjson::Document d;
    d.Parse(w.stream.data() + off, len);
    errors += d.HasParseError();
    members += d.MemberCount();
  }
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (errors) {
    std::fprintf(stderr, "baseline: %zu parse errors\n", errors);
    std::exit(1);
  }
  g_sink = members;
  return s;
}

// The value: bytes in 64 KiB reads -> STOMP frames -> typed events.
double run_pipeline(const Workload& w) {
  constexpr std::size_t kChunk = 64 * 1024;
  std::size_t events = 0, text_bytes = 0;
  whisp::stomp::Parser parser;
  const auto t0 = Clock::now();
  for (std::size_t at = 0; at < w.stream.size(); at += kChunk) {
    parser.feed(std::string_view(w.stream).substr(at, kChunk));
    for (;;) {
      auto item = parser.next();
      if (!item) {
        std::fprintf(stderr, "stomp: %s\n", item.error().describe().c_str());
        std::exit(1);
      }
      if (!item.value()) break;
      const auto* frame = std::get_if<whisp::stomp::Frame>(&*item.value());
      if (!frame) continue;
      auto e = whisp::decode_event(frame->body);
      if (!e || !std::holds_alternative<whisp::event::SendMsg>(e.value())) {
        std::fprintf(stderr, "decode: %s\n",
                     e ? "not a SEND_MSG" : e.error().describe().c_str());
        std::exit(1);
      }
      text_bytes += std::get<whisp::event::SendMsg>(e.value()).text.size();
      ++events;
    }
  }
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (events != w.bodies.size()) {
    std::fprintf(stderr, "pipeline: %zu events for %zu frames\n", events, w.bodies.size());
    std::exit(1);
  }
  g_sink = text_bytes;
  return s;
}

// decode_event alone on the same bodies (no STOMP), to show where the time goes.
double run_decode_only(const Workload& w) {
  std::size_t ok = 0;
  const auto t0 = Clock::now();
  for (const auto& [off, len] : w.bodies) {
    ok += whisp::decode_event(std::string_view(w.stream.data() + off, len)).ok();
  }
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (ok != w.bodies.size()) std::exit(1);
  g_sink = ok;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t frames = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  if (frames == 0 || rounds <= 0) {
    std::fprintf(stderr, "usage: %s [FRAMES] [ROUNDS]\n", argv[0]);
    return 2;
  }
  const Workload w = generate(frames);
  std::size_t body_bytes = 0;
  for (const auto& b : w.bodies) body_bytes += b.second;
  std::printf("protocol_bench: %zu MESSAGE frames, %.1f MB of frames, mean body %.0f bytes\n",
              frames, static_cast<double>(w.stream.size()) / 1e6,
              static_cast<double>(body_bytes) / static_cast<double>(frames));

  double base = 1e300, value = 1e300, decode = 1e300;
  for (int i = 0; i < rounds; ++i) {  // interleaved, so drift in machine load hits all alike
    base = std::min(base, run_baseline(w));
    value = std::min(value, run_pipeline(w));
    decode = std::min(decode, run_decode_only(w));
  }
  const auto fps = [frames](double s) { return static_cast<double>(frames) / s; };
  std::printf("  baseline  RapidJSON body -> fresh Document        %12.0f frames/s\n", fps(base));
  std::printf("  value     bytes -> STOMP Parser -> decode_event   %12.0f frames/s\n", fps(value));
  std::printf("  ratio     value / baseline                        %12.2f  (target >= 0.50)\n",
              base / value);
  std::printf("  (info)    decode_event alone, no STOMP            %12.0f frames/s\n", fps(decode));
  std::printf("  best of %d round(s)\n", rounds);
  return 0;
}
