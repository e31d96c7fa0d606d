// Shared pieces of the issue-6 suites: probes (truth.hpp) over in-process engines and `whisp rpc`
// processes, REST sessions of the seeded users, and small readers of snapshot JSON.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "devserver.hpp"
#include "harness.hpp"
#include "rpc_process.hpp"
#include "truth.hpp"

namespace whisp::synctest {

/// A signed-in REST session of a seeded user (password "<name>-password"); throws on failure.
RestUser rest_user(const devserver::DevServer& server, const std::string& username);

/// `whisp rpc` options for a seeded user, its store and stderr in `dir`.
RpcOptions rpc_options(const devserver::DevServer& server, const std::string& username,
                       const test::TempDir& dir, const std::string& db_name = "");

Probe probe_of(const std::string& name, test::TestEngine& engine, const RestUser& rest);
Probe probe_of(const std::string& name, RpcProcess& rpc, const RestUser& rest);

/// The messages of a chat in a snapshot document whose text is `text` (copies of the objects).
std::vector<const rapidjson::Value*> messages_with_text(const rapidjson::Value& snapshot,
                                                        const std::string& chat_id,
                                                        const std::string& text);
/// How many reactions with this emoji the snapshot shows, in all chats; `confirmed` counts those
/// with a server reaction id.
int reactions_with_emoji(const rapidjson::Value& snapshot, const std::string& emoji,
                         int* confirmed = nullptr);

/// Counts of a text / an emoji in the server's history of a user (fresh getMessages).
struct ServerCounts {
  std::map<std::string, int> texts, emojis;
};
ServerCounts server_counts(const RestUser& rest);

/// A JSON string literal.
std::string js(const std::string& s);

}  // namespace whisp::synctest
