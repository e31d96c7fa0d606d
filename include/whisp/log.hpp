// Logging. The engine and the tools log through one sink that the embedding app may replace.
// Tokens, tickets and passwords are never passed to the sink: code that logs a URL or header
// redacts them first (`redact`).
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace whisp {

enum class LogLevel { trace = 0, debug = 1, info = 2, warn = 3, error = 4, off = 5 };

/// Called for each line at or above the level. May be called from any engine thread,
/// concurrently; the sink must be thread-safe and must not call back into the engine.
using LogSink = std::function<void(LogLevel, std::string_view component, std::string_view line)>;

/// Replaces the process-wide sink (default: stderr, level warn). Thread-safe.
void set_log_sink(LogSink sink);
void set_log_level(LogLevel level);
LogLevel log_level();
/// Parses "trace".."off"; false for anything else.
bool parse_log_level(std::string_view text, LogLevel& out);
const char* to_string(LogLevel level);

/// Writes a line through the sink when `level` is enabled.
void log(LogLevel level, std::string_view component, std::string_view line);

/// Hides secrets in a line: values of `ticket=`, `Authorization`, `Bearer`, `jwt`,
/// `refreshToken` and `password` are replaced by "***".
std::string redact(std::string_view line);

}  // namespace whisp
