// `whisp rpc`: the headless client of DESIGN.md ("Headless client (JSON-RPC 2.0 over stdio)").
// Requests are read from stdin one line at a time and answered in order on stdout; the engine's
// notifications are written from its callback thread. Both go through one LineWriter, so lines
// never interleave, and each is flushed. EOF on stdin stops the engine cleanly (exit 0).
#include <iostream>
#include <string>

#include "commands.hpp"
#include "engine_backend.hpp"
#include "engine_options.hpp"
#include "rpc_session.hpp"

namespace whisp::cli {
namespace {

class RpcCommand final : public Command {
 public:
  CLI::App* register_on(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "rpc",
        "Headless client: JSON-RPC 2.0, one object per line on stdin/stdout.\n"
        "Methods: sendMessage reply editMessage deleteMessage react unreact markRead typing\n"
        "createChat addUser removeUser renameChat deleteChat snapshot loadOlder goOffline\n"
        "goOnline waitIdle. Notifications: changed, connection, error. EOF stops it (exit 0).");
    options_.add_to(*cmd);
    return cmd;
  }

  int run() override {
    auto config = options_.to_config();
    if (!config) return usage_error("rpc", config.error().message);

    LineWriter out(stdout);
    Callbacks callbacks;
    callbacks.on_change = [&out](const Change& change) {
      for (const auto& line : rpc_notify::changed_lines(change)) out.write_line(line);
    };
    callbacks.on_connection = [&out](const ConnectionEvent& event) {
      if (auto line = rpc_notify::connection(event)) out.write_line(*line);
    };
    callbacks.on_error = [&out](const Error& error) { out.write_line(rpc_notify::error(error)); };

    auto engine = Engine::start(std::move(*config), std::move(callbacks));
    if (!engine) return failure("rpc", engine.error().describe());

    {
      EngineBackend backend(**engine);
      RpcSession session(backend);
      std::string line;
      while (std::getline(std::cin, line)) {
        if (auto response = session.handle_line(line)) {
          if (!out.write_line(*response)) break;  // the reader went away
        }
      }
    }
    engine->reset();  // stop: finishes pending commits, joins the engine's threads
    return kExitOk;
  }

 private:
  EngineOptions options_;
};

}  // namespace

std::unique_ptr<Command> make_rpc_command() { return std::make_unique<RpcCommand>(); }

}  // namespace whisp::cli
