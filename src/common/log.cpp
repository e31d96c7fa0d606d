#include "whisp/log.hpp"

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>

namespace whisp {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::warn)};
std::mutex g_sink_mutex;
std::shared_ptr<LogSink> g_sink;  // null: stderr

void stderr_sink(LogLevel level, std::string_view component, std::string_view line) {
  std::fprintf(stderr, "whisp %s [%.*s] %.*s\n", to_string(level),
               static_cast<int>(component.size()), component.data(),
               static_cast<int>(line.size()), line.data());
}

// Keys whose values are secrets, as they appear in URLs, headers and JSON.
constexpr std::string_view kSecretKeys[] = {"ticket=",      "Authorization:", "Authorization=",
                                            "Bearer ",      "\"jwt\":",       "\"refreshToken\":",
                                            "\"password\":", "\"expiredJwt\":", "jwt="};

bool is_value_end(char c) {
  return c == '&' || c == ' ' || c == ',' || c == '}' || c == '\n' || c == '\r' || c == ';';
}

}  // namespace

const char* to_string(LogLevel level) {
  switch (level) {
    case LogLevel::trace: return "trace";
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
    case LogLevel::off: return "off";
  }
  return "?";
}

bool parse_log_level(std::string_view text, LogLevel& out) {
  for (int i = 0; i <= static_cast<int>(LogLevel::off); ++i) {
    if (text == to_string(static_cast<LogLevel>(i))) {
      out = static_cast<LogLevel>(i);
      return true;
    }
  }
  return false;
}

void set_log_sink(LogSink sink) {
  std::lock_guard<std::mutex> lock(g_sink_mutex);
  g_sink = sink ? std::make_shared<LogSink>(std::move(sink)) : nullptr;
}

void set_log_level(LogLevel level) { g_level.store(static_cast<int>(level)); }
LogLevel log_level() { return static_cast<LogLevel>(g_level.load()); }

void log(LogLevel level, std::string_view component, std::string_view line) {
  if (static_cast<int>(level) < g_level.load() || level == LogLevel::off) return;
  std::shared_ptr<LogSink> sink;
  {
    std::lock_guard<std::mutex> lock(g_sink_mutex);
    sink = g_sink;
  }
  std::string safe = redact(line);
  if (sink) {
    (*sink)(level, component, safe);
  } else {
    stderr_sink(level, component, safe);
  }
}

std::string redact(std::string_view line) {
  std::string out(line);
  for (std::string_view key : kSecretKeys) {
    std::size_t from = 0;
    while ((from = out.find(key, from)) != std::string::npos) {
      std::size_t start = from + key.size();
      while (start < out.size() && out[start] == ' ') ++start;
      bool quoted = start < out.size() && out[start] == '"';
      if (quoted) ++start;
      if (key == "Authorization:" || key == "Authorization=") {
        // "Authorization: Bearer X" — the Bearer key handles the token itself.
        if (out.compare(start, 7, "Bearer ") == 0) { from = start; continue; }
      }
      std::size_t end = start;
      while (end < out.size() && (quoted ? out[end] != '"' : !is_value_end(out[end]))) ++end;
      if (end > start && out.compare(start, end - start, "***") != 0) {
        out.replace(start, end - start, "***");
      }
      from = start + 3;
    }
  }
  return out;
}

}  // namespace whisp
