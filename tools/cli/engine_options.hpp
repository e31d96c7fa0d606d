// Command-line options shared by the commands that run an engine (`rpc`, `sync`, `watch`):
// the server, the store, the credentials, and the log level.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "whisp/engine.hpp"
#include "whisp/result.hpp"

namespace whisp::cli {

/// Exit statuses of every `whisp` command.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // the command ran and failed (server refused, store unreadable…)
constexpr int kExitUsage = 2;    // bad arguments

struct EngineOptions {
  std::string server;
  std::string db;
  // Sign in...
  std::string user, password, api_key;
  // ...or resume a session.
  std::string user_id, jwt, refresh_token;
  std::string log_level = "warn";

  /// Registers the options on a subcommand.
  void add_to(CLI::App& command);

  /// The engine's Config, or an invalid_argument error naming the problem (a missing or mixed
  /// set of credentials, an unknown log level). Also applies the log level.
  Result<Config> to_config() const;
};

/// Prints "whisp CMD: PROBLEM" and a pointer to --help on stderr; returns kExitUsage.
int usage_error(const std::string& command, const std::string& problem);

/// Prints "whisp CMD: PROBLEM" on stderr; returns kExitFailure.
int failure(const std::string& command, const std::string& problem);

}  // namespace whisp::cli
