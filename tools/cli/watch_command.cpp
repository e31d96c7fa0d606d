// `whisp watch --chat ID`: a live terminal view of one chat. The engine's callbacks only mark
// the view dirty; this thread redraws (at most every 50 ms, and every second so typing lines
// expire) until SIGINT/SIGTERM. On a terminal each frame replaces the last (ANSI home + clear);
// with --plain, or when stdout is not a terminal, frames are printed one after another.
#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <string>

#include "commands.hpp"
#include "engine_options.hpp"
#include "pretty.hpp"

namespace whisp::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }

/// Terminal rows, or 24 when unknown.
int terminal_rows() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) return ws.ws_row;
  return 24;
}

class WatchCommand final : public Command {
 public:
  CLI::App* register_on(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "watch", "A live view of one chat in the terminal (Ctrl-C to leave).");
    cmd->add_option("--chat", chat_, "the chat to watch")->required();
    options_.add_to(*cmd);
    cmd->add_option("--last", last_, "messages shown (default: what fits the terminal)")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--plain", plain_, "no screen control: print each frame below the last");
    return cmd;
  }

  int run() override {
    auto config = options_.to_config();
    if (!config) return usage_error("watch", config.error().message);
    const bool screen = !plain_ && ::isatty(STDOUT_FILENO) != 0;

    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);

    Callbacks callbacks;
    callbacks.on_change = [this](const Change& change) {
      bool mine = change.chat_list_changed;
      for (const auto& id : change.chat_ids) mine = mine || id == chat_;
      if (mine) mark_dirty({});
    };
    callbacks.on_connection = [this](const ConnectionEvent& e) {
      std::string s = to_string(e.state);
      if (e.state == ConnectionState::reconnecting) s += " (attempt " + std::to_string(e.attempt) + ")";
      if (!e.reason.empty()) s += ": " + e.reason;
      mark_dirty(s);
    };
    callbacks.on_error = [this](const Error& e) {
      std::lock_guard<std::mutex> lock(mutex_);
      last_error_ = e.describe();
      dirty_ = true;
      cv_.notify_one();
    };

    auto engine = Engine::start(std::move(*config), std::move(callbacks));
    if (!engine) return failure("watch", engine.error().describe());

    auto last_draw = std::chrono::steady_clock::time_point{};
    while (!g_stop.load()) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return dirty_ || g_stop.load(); });
        if (g_stop.load()) break;
        auto since = std::chrono::steady_clock::now() - last_draw;
        if (!dirty_ && since < std::chrono::seconds(1)) continue;
        if (since < std::chrono::milliseconds(50)) {  // coalesce a burst of changes
          cv_.wait_for(lock, std::chrono::milliseconds(50) - since, [] { return g_stop.load(); });
        }
        dirty_ = false;
        last_draw = std::chrono::steady_clock::now();
      }
      draw(**engine, screen);
    }
    engine->reset();
    if (screen) std::fputs("\n", stdout);
    return kExitOk;
  }

 private:
  void mark_dirty(std::optional<std::string> connection) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (connection) connection_ = *connection;
    dirty_ = true;
    cv_.notify_one();
  }

  void draw(Engine& engine, bool screen) {
    std::string connection, error;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      connection = connection_;
      error = last_error_;
    }
    PrettyOptions pretty;
    pretty.color = screen;
    const int rows = terminal_rows();
    pretty.last_messages = last_ > 0 ? static_cast<std::size_t>(last_)
                                     : static_cast<std::size_t>(rows > 12 ? (rows - 8) / 2 : 2);
    std::string frame = "whisp watch  chat " + chat_ + "  [" + connection + "]\n";
    auto json = engine.snapshot_json(chat_);
    if (!json) {
      frame += "snapshot failed: " + json.error().describe() + "\n";
    } else {
      auto text = render_chat(*json, chat_, pretty);
      frame += text ? *text : "cannot show the chat: " + text.error().describe() + "\n";
    }
    if (!error.empty()) frame += "last error: " + error + "\n";
    if (screen) {
      std::string out = "\x1b[H\x1b[2J" + frame;
      std::fwrite(out.data(), 1, out.size(), stdout);
    } else {
      std::string out = frame + "----\n";
      std::fwrite(out.data(), 1, out.size(), stdout);
    }
    std::fflush(stdout);
  }

  EngineOptions options_;
  std::string chat_;
  int last_ = 0;
  bool plain_ = false;

  std::mutex mutex_;
  std::condition_variable cv_;
  bool dirty_ = true;
  std::string connection_ = "starting";
  std::string last_error_;
};

}  // namespace

std::unique_ptr<Command> make_watch_command() { return std::make_unique<WatchCommand>(); }

}  // namespace whisp::cli
