// The `whisp` subcommands. Each registers its options on the CLI11 app and runs when parsed;
// run() returns the process exit status (engine_options.hpp: kExitOk, kExitFailure, kExitUsage).
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <vector>

namespace whisp::cli {

class Command {
 public:
  virtual ~Command() = default;
  /// Adds the subcommand and its options to `app`; returns the subcommand.
  virtual CLI::App* register_on(CLI::App& app) = 0;
  virtual int run() = 0;
};

std::unique_ptr<Command> make_rpc_command();
std::unique_ptr<Command> make_snapshot_command();
std::unique_ptr<Command> make_sync_command();
std::unique_ptr<Command> make_watch_command();
std::unique_ptr<Command> make_demo_command();

}  // namespace whisp::cli
