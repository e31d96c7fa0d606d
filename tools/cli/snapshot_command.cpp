// `whisp snapshot --db FILE [--chat ID] [--json]`: reads a store offline (no engine, no
// network) through the store's Reader, which sees one committed state even while an engine is
// writing the file. Human-readable by default; `--json` prints the contract's snapshot JSON.
#include <cstdio>
#include <optional>
#include <string>

#include "commands.hpp"
#include "engine_options.hpp"
#include "pretty.hpp"
#include "store/reader.hpp"
#include "store/snapshot.hpp"

namespace whisp::cli {
namespace {

class SnapshotCommand final : public Command {
 public:
  CLI::App* register_on(CLI::App& app) override {
    auto* cmd = app.add_subcommand("snapshot", "Print the snapshot of a store, read offline.");
    cmd->add_option("--db", db_, "the store file")->required();
    cmd->add_option("--chat", chat_, "only this chat");
    cmd->add_flag("--json", json_, "the contract's snapshot JSON instead of text");
    cmd->add_option("--last", last_, "text: show only the newest N messages of each chat")
        ->check(CLI::PositiveNumber);
    return cmd;
  }

  int run() override {
    if (!store::is_sqlite_file(db_)) {
      return failure("snapshot", "--db: \"" + db_ + "\" is not a whisp store (no such file, or not SQLite)");
    }
    auto reader = store::Reader::open(db_);
    if (!reader) return failure("snapshot", reader.error().describe());
    std::optional<std::string> chat;
    if (!chat_.empty()) chat = chat_;
    auto snap = (*reader)->snapshot(chat);
    if (!snap) return failure("snapshot", snap.error().describe());
    if (json_) {
      std::string out = store::to_json(*snap);
      std::printf("%s\n", out.c_str());
      return kExitOk;
    }
    store::JsonOptions with_errors;
    with_errors.with_errors = true;
    PrettyOptions pretty;
    if (last_ > 0) pretty.last_messages = static_cast<std::size_t>(last_);
    auto text = chat ? render_chat(store::to_json(*snap, with_errors), *chat, pretty)
                     : render_snapshot(store::to_json(*snap, with_errors), pretty);
    if (!text) return failure("snapshot", text.error().describe());
    std::fputs(text->c_str(), stdout);
    return kExitOk;
  }

 private:
  std::string db_, chat_;
  bool json_ = false;
  int last_ = 0;
};

}  // namespace

std::unique_ptr<Command> make_snapshot_command() { return std::make_unique<SnapshotCommand>(); }

}  // namespace whisp::cli
