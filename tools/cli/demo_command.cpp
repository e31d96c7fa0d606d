// `whisp demo` (DESIGN.md "Demo"): no network, no set-up. Starts the dev server in-process on
// loopback with its seeded users, runs two engines (alice and bob), plays a conversation with
// an edit, a reply, a reaction and a read receipt, cuts bob off, lets him queue messages
// offline, reconnects him, and prints each step's snapshot and a final summary that both engines
// converged. Exit 1 when a step does not happen in time or the engines do not converge.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "commands.hpp"
#include "converge.hpp"
#include "demo_peer.hpp"
#include "devserver.hpp"
#include "engine_options.hpp"
#include "pretty.hpp"

namespace whisp::cli {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

class DemoCommand final : public Command {
 public:
  CLI::App* register_on(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "demo", "Two engines and an in-process dev server: a conversation, offline, reconnect.");
    cmd->add_option("--dir", dir_, "keep the stores in this directory (default: a temporary one, removed)");
    cmd->add_option("--timeout", timeout_ms_, "milliseconds each step may take")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--quiet", quiet_, "print the steps and the summary, not the snapshots");
    return cmd;
  }

  int run() override {
    color_ = ::isatty(STDOUT_FILENO) != 0;
    auto dir = prepare_dir();
    if (!dir) return failure("demo", dir.error().message);
    int status = play(*dir);
    if (dir_.empty()) {
      std::error_code ec;
      fs::remove_all(*dir, ec);
    }
    return status;
  }

 private:
  Result<std::string> prepare_dir() {
    std::error_code ec;
    if (!dir_.empty()) {
      fs::create_directories(dir_, ec);
      if (ec) return Error{ErrorCode::io_error, "--dir: " + ec.message()};
      return dir_;
    }
    std::string pattern = (fs::temp_directory_path(ec) / "whisp-demo-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Error{ErrorCode::io_error, "cannot create a temporary directory"};
    }
    return pattern;
  }

  void step(const std::string& title) {
    ++step_;
    std::string line = "[" + std::to_string(step_) + "] " + title;
    if (color_) line = "\x1b[1m" + line + "\x1b[0m";
    std::printf("\n%s\n", line.c_str());
    std::fflush(stdout);
  }

  void show(DemoPeer& peer, const std::string& chat_id) {
    if (quiet_) return;
    PrettyOptions o;
    o.color = color_;
    o.last_messages = 8;
    auto text = render_chat(peer.snapshot(chat_id), chat_id, o);
    std::printf("  -- %s's view (%s)\n%s", peer.name().c_str(), peer.connection().c_str(),
                text ? text->c_str() : (text.error().describe() + "\n").c_str());
    std::fflush(stdout);
  }

  /// Waits for `what` in `peer`'s snapshot of the chat, or reports the step as failed.
  bool expect(DemoPeer& peer, const std::string& chat_id, const std::string& what,
              const std::function<bool(const std::string&)>& done) {
    if (peer.wait_until(chat_id, done, milliseconds(timeout_ms_))) return true;
    std::fprintf(stderr, "whisp demo: %s did not see %s within %d ms\n", peer.name().c_str(),
                 what.c_str(), timeout_ms_);
    return false;
  }

  static std::function<bool(const std::string&)> has(const std::string& chat, const std::string& text,
                                                      const std::string& status = "delivered") {
    return [=](const std::string& json) {
      auto m = find_message(json, chat, text);
      return m && m->status == status;
    };
  }

  int play(const std::string& dir) {
    step("starting the dev server in-process on 127.0.0.1 (seeded users alice, bob, carol)");
    devserver::DevServerOptions server_options;
    server_options.seed_demo = true;
    server_options.pbkdf2_iterations = 1000;  // the demo signs in twice; no need to be slow
    auto server = devserver::DevServer::start(server_options);
    if (!server) return failure("demo", "dev server: " + server.error().describe());
    const std::string url = (*server)->url();
    const std::string chat = (*server)->seeded_chat_id();
    const auto& users = (*server)->seeded_users();
    if (users.size() < 2 || chat.empty()) return failure("demo", "dev server: no seeded users or chat");
    std::printf("  listening on %s, chat %s\n", url.c_str(), chat.c_str());

    step("alice and bob sign in; each engine syncs the chat into its own store");
    auto alice = DemoPeer::start("alice", url, (*server)->api_key(), users[0].username,
                                 users[0].password, dir + "/alice.db");
    if (!alice) return failure("demo", alice.error().describe());
    auto bob = DemoPeer::start("bob", url, (*server)->api_key(), users[1].username,
                               users[1].password, dir + "/bob.db");
    if (!bob) return failure("demo", bob.error().describe());
    DemoPeer& a = **alice;
    DemoPeer& b = **bob;
    const std::string bob_id = b.engine().user_id();
    for (DemoPeer* p : {&a, &b}) {
      if (!p->engine().wait_idle(milliseconds(timeout_ms_))) {
        return failure("demo", p->name() + " did not finish syncing");
      }
    }
    show(a, chat);

    step("alice sends a message; it shows at once as pending, then delivered on both sides");
    const std::string hello = "Hi Bob, the demo is starting.";
    if (!a.engine().send_message(chat, hello)) return failure("demo", "alice could not send");
    if (!expect(a, chat, "her message delivered", has(chat, hello))) return 1;
    if (!expect(b, chat, "alice's message", has(chat, hello))) return 1;
    show(b, chat);

    step("bob replies to it, alice edits her message, bob reacts and reads");
    auto hello_id = find_message(a.snapshot(chat), chat, hello)->message_id.value_or("");
    const std::string answer = "Hi Alice! Ready when you are.";
    const std::string edited = "Hi Bob, the demo has started.";
    if (!b.engine().reply(chat, ItemRef::server(hello_id), answer) ||
        !a.engine().edit_message(chat, ItemRef::server(hello_id), edited) ||
        !b.engine().react(chat, ItemRef::server(hello_id), "\xF0\x9F\x8E\x89")) {
      return failure("demo", "an action was refused");
    }
    if (!expect(a, chat, "bob's reply", has(chat, answer))) return 1;
    if (!expect(b, chat, "his reply delivered", has(chat, answer))) return 1;
    auto answer_id = find_message(b.snapshot(chat), chat, answer)->message_id.value_or("");
    if (!b.engine().mark_read(chat, answer_id)) return failure("demo", "bob could not mark read");
    if (!expect(a, chat, "the edit, the reaction and bob's read receipt", [&](const std::string& j) {
          auto m = find_message(j, chat, edited);
          return m && m->edited && m->reactions == 1 && read_pointer(j, chat, bob_id) == answer_id;
        })) {
      return 1;
    }
    show(a, chat);

    step("bob is cut off; he writes two messages offline, they wait in his outbox");
    b.engine().go_offline();
    const std::string offline1 = "Writing this on the train, no signal.";
    const std::string offline2 = "It will go out when I am back.";
    if (!b.engine().send_message(chat, offline1) || !b.engine().send_message(chat, offline2)) {
      return failure("demo", "bob could not queue messages offline");
    }
    const std::string meanwhile = "Bob? Are you there?";
    if (!a.engine().send_message(chat, meanwhile)) return failure("demo", "alice could not send");
    if (!expect(a, chat, "her message delivered", has(chat, meanwhile))) return 1;
    if (!expect(b, chat, "his queued messages as pending", has(chat, offline2, "pending"))) return 1;
    show(b, chat);

    step("bob reconnects: he backfills what he missed and sends what waited, exactly once");
    b.engine().go_online();
    if (!expect(b, chat, "his messages delivered and alice's message", [&](const std::string& j) {
          return has(chat, offline1)(j) && has(chat, offline2)(j) && has(chat, meanwhile)(j);
        })) {
      return 1;
    }
    if (!expect(a, chat, "bob's offline messages", [&](const std::string& j) {
          return has(chat, offline1)(j) && has(chat, offline2)(j);
        })) {
      return 1;
    }
    for (DemoPeer* p : {&a, &b}) {
      if (!p->engine().wait_idle(milliseconds(timeout_ms_))) {
        return failure("demo", p->name() + " did not become idle");
      }
    }
    show(b, chat);

    step("summary");
    return summarize(a, b, chat, {edited, answer, meanwhile, offline1, offline2});
  }

  int summarize(DemoPeer& a, DemoPeer& b, const std::string& chat,
                const std::vector<std::string>& texts) {
    // Both engines must agree on the chat; let a last in-flight commit land first.
    std::string va, vb;
    auto agree = [&](const std::string&) {
      auto x = shared_view(a.snapshot(chat), chat);
      auto y = shared_view(b.snapshot(chat), chat);
      if (!x || !y) return false;
      va = *x;
      vb = *y;
      return va == vb;
    };
    const bool converged = a.wait_until(chat, agree, milliseconds(timeout_ms_));
    bool exactly_once = true;
    for (DemoPeer* p : {&a, &b}) {
      const std::string json = p->snapshot(chat);
      for (const auto& text : texts) {
        std::size_t n = count_messages(json, chat, text);
        if (n != 1) {
          std::printf("  %s shows \"%s\" %zu time(s)\n", p->name().c_str(), text.c_str(), n);
          exactly_once = false;
        }
      }
      auto counts = count_snapshot(p->snapshot());
      if (!counts) {
        exactly_once = false;
        continue;
      }
      exactly_once = exactly_once && counts->pending == 0 && counts->sent == 0 && counts->failed == 0;
      std::printf("  %-5s %zu chat(s), %zu message(s), %zu reaction(s); own: %zu pending, %zu sent, %zu failed\n",
                  p->name().c_str(), counts->chats, counts->messages, counts->reactions,
                  counts->pending, counts->sent, counts->failed);
    }
    if (!converged || !exactly_once) {
      if (!converged) std::printf("  NOT CONVERGED\n  alice: %s\n  bob:   %s\n", va.c_str(), vb.c_str());
      if (!exactly_once) std::printf("  NOT every message delivered exactly once\n");
      return kExitFailure;
    }
    std::printf("  converged: alice and bob show the same chat (messages, edits, replies,\n"
                "  reactions, read receipts), every message delivered exactly once.\n");
    return kExitOk;
  }

  std::string dir_;
  int timeout_ms_ = 15000;
  bool quiet_ = false;
  bool color_ = false;
  int step_ = 0;
};

}  // namespace

std::unique_ptr<Command> make_demo_command() { return std::make_unique<DemoCommand>(); }

}  // namespace whisp::cli
