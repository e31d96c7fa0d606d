// Internal: `--seed demo` — users alice, bob and carol and a chat with some history.
#pragma once

#include <string>
#include <vector>

#include "devserver.hpp"
#include "server_context.hpp"

namespace whisp::devserver {

struct SeedResult {
  std::vector<SeededUser> users;
  std::string chat_id;
};

/// Creates the demo data unless the users already exist (a reopened database file), in which
/// case it returns them with their passwords and the chat they share.
Result<SeedResult> seed_demo(ServerContext& ctx);

}  // namespace whisp::devserver
