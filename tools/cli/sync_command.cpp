// `whisp sync`: sign in (or resume), sync once against a real server, print a summary, exit.
// The store is opened offline first to count what it held, then the engine goes online and
// the command waits for idle (connected, backfill done, outbox empty), showing progress on a
// terminal (stderr), and prints what the store holds now and what was backfilled.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "commands.hpp"
#include "engine_options.hpp"
#include "pretty.hpp"

namespace whisp::cli {
namespace {

class SyncCommand final : public Command {
 public:
  CLI::App* register_on(CLI::App& app) override {
    auto* cmd = app.add_subcommand("sync", "Sign in, sync once with the server, print a summary.");
    options_.add_to(*cmd);
    cmd->add_option("--timeout", timeout_s_, "give up after this many seconds (exit 1)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--print", print_, "also print the whole snapshot afterwards");
    return cmd;
  }

  int run() override {
    auto config = options_.to_config();
    if (!config) return usage_error("sync", config.error().message);
    config->start_online = false;  // count what the store holds before going online

    const bool tty = ::isatty(STDERR_FILENO) != 0;
    std::atomic<long> commits{0};
    std::atomic<long> errors{0};
    std::mutex state_mutex;
    std::string state = "offline";
    Callbacks callbacks;
    callbacks.on_change = [&](const Change&) { ++commits; };
    callbacks.on_error = [&](const Error& e) {
      ++errors;
      std::fprintf(stderr, "%swhisp sync: %s\n", tty ? "\r\x1b[K" : "", e.describe().c_str());
    };
    callbacks.on_connection = [&](const ConnectionEvent& e) {
      std::lock_guard<std::mutex> lock(state_mutex);
      state = to_string(e.state);
      if (e.state == ConnectionState::reconnecting) state += " #" + std::to_string(e.attempt);
      if (!tty) std::fprintf(stderr, "whisp sync: %s\n", state.c_str());
    };

    auto engine = Engine::start(std::move(*config), std::move(callbacks));
    if (!engine) return failure("sync", engine.error().describe());
    auto before = counts(**engine);
    if (!before) return failure("sync", before.error().describe());

    const auto started = std::chrono::steady_clock::now();
    const auto deadline = started + std::chrono::seconds(timeout_s_);
    (*engine)->go_online();
    bool idle = false;
    while (!idle && std::chrono::steady_clock::now() < deadline) {
      idle = (*engine)->wait_idle(std::chrono::milliseconds(200));
      if (tty) {
        std::lock_guard<std::mutex> lock(state_mutex);
        auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::fprintf(stderr, "\r\x1b[K%s  %ld commits  %.1f s", state.c_str(), commits.load(), secs);
      }
      if ((*engine)->connection_state() == ConnectionState::auth_failed) break;
    }
    if (tty) std::fprintf(stderr, "\r\x1b[K");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    auto after = counts(**engine);
    if (!after) return failure("sync", after.error().describe());
    if (print_) {
      auto json = (*engine)->snapshot_json();
      if (json) {
        auto text = render_snapshot(*json);
        if (text) std::fputs(text->c_str(), stdout);
      }
    }
    std::printf(
        "%s in %.2f s: %zu chat(s), %zu message(s), %zu reaction(s), %zu unread\n"
        "backfilled: %+ld chat(s), %+ld message(s); %ld commit(s)\n"
        "own messages: %zu pending, %zu sent, %zu failed\n",
        idle ? "synced" : "NOT synced", seconds, after->chats, after->messages, after->reactions,
        after->unread, static_cast<long>(after->chats) - static_cast<long>(before->chats),
        static_cast<long>(after->messages) - static_cast<long>(before->messages), commits.load(),
        after->pending, after->sent, after->failed);
    engine->reset();
    if (!idle) {
      return failure("sync", "not idle after " + std::to_string(timeout_s_) +
                                 " s (connection: " + state + ")");
    }
    return kExitOk;
  }

 private:
  static Result<SnapshotCounts> counts(Engine& engine) {
    auto json = engine.snapshot_json();
    if (!json) return json.error();
    return count_snapshot(*json);
  }

  EngineOptions options_;
  int timeout_s_ = 60;
  bool print_ = false;
};

}  // namespace

std::unique_ptr<Command> make_sync_command() { return std::make_unique<SyncCommand>(); }

}  // namespace whisp::cli
