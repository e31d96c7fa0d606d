// Small helpers shared by the engine benchmarks (ingest, latency, memory): generated ids and
// texts, MESSAGE frames exactly as the dev server sends them, percentiles.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "protocol/events.hpp"
#include "protocol/stomp.hpp"
#include "protocol/timestamp.hpp"

namespace whisp::bench {

using Clock = std::chrono::steady_clock;

inline double secs_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

inline double micros(Clock::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

inline std::string uuid(std::mt19937_64& rng) {
  static const char* hex = "0123456789abcdef";
  std::string s(36, '-');
  for (int i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    s[static_cast<std::size_t>(i)] = hex[rng() & 15];
  }
  return s;
}

/// 3 to 17 words, some of them non-ASCII (as store_bench).
inline std::string text_of(std::mt19937_64& rng) {
  static const char* words[] = {"hello", "world", "meeting", "at", "noon", "the", "build",
                                "is", "green", "again", "thanks", "see", "you", "tomorrow",
                                "\xC3\xA9t\xC3\xA9", "\xF0\x9F\x91\x8D", "ok", "sure"};
  std::string t;
  const int n = 3 + static_cast<int>(rng() % 15);
  for (int i = 0; i < n; ++i) {
    if (i) t += ' ';
    t += words[rng() % (sizeof words / sizeof *words)];
  }
  return t;
}

/// A SEND_MSG event of `sender` in `chat` to `self`, at `micros` since the epoch.
inline event::SendMsg send_msg(const std::string& chat, const std::string& self,
                               const std::string& sender, std::string message_id,
                               std::string text, std::int64_t at_micros) {
  event::SendMsg e;
  e.chat_id = chat;
  e.recipient_id = self;
  e.sender_id = sender;
  e.message_id = std::move(message_id);
  e.text = std::move(text);
  e.time_stamp = Timestamp{format_timestamp(at_micros), at_micros};
  return e;
}

/// The MESSAGE frame the dev server writes for an event body (tools/devserver/stomp_handler.cpp:
/// destination, content-type, subscription, message-id; the codec adds content-length).
inline std::string message_frame(const std::string& self, const std::string& body,
                                 std::uint64_t message_id) {
  stomp::Frame f;
  f.command = "MESSAGE";
  f.add("destination", "/user/" + self + "/queue/messages");
  f.add("content-type", "application/json");
  f.add("subscription", "sub-0");
  f.add("message-id", std::to_string(message_id));
  f.body = body;
  return stomp::encode(f);
}

/// Percentile `p` (0..100) of the values, nearest rank; sorts them. 0 when empty.
inline double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

inline double median(std::vector<double> v) { return percentile(v, 50); }

}  // namespace whisp::bench
