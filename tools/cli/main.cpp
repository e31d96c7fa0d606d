// `whisp`: the command line of whisp-engine. Subcommands: demo, rpc, sync, snapshot, watch.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <memory>
#include <vector>

#include "commands.hpp"
#include "engine_options.hpp"

int main(int argc, char** argv) {
  // A reader that goes away must not kill us mid-write: writes fail and are handled instead.
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app{"whisp: an offline-first sync engine for the Whisp chat API.\n"
               "Start with 'whisp demo' (no network, no set-up)."};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "help for every command");

  std::vector<std::pair<CLI::App*, std::unique_ptr<whisp::cli::Command>>> commands;
  for (auto make : {whisp::cli::make_demo_command, whisp::cli::make_rpc_command,
                    whisp::cli::make_sync_command, whisp::cli::make_snapshot_command,
                    whisp::cli::make_watch_command}) {
    auto command = make();
    CLI::App* sub = command->register_on(app);
    commands.emplace_back(sub, std::move(command));
  }

  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (auto& entry : commands) known = known || entry.first->get_name() == argv[1];
    if (!known) {
      std::fprintf(stderr,
                   "whisp: unknown command \"%s\" (commands: demo, rpc, sync, snapshot, watch)\n"
                   "Run 'whisp --help' for usage.\n",
                   argv[1]);
      return whisp::cli::kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : whisp::cli::kExitUsage;
  }
  for (auto& [sub, command] : commands) {
    if (sub->parsed()) return command->run();
  }
  return whisp::cli::kExitUsage;
}
