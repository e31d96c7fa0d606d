#include "sync_fixture.hpp"

#include <cstdlib>
#include <filesystem>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <stdexcept>

namespace whisp::synctest {

RestUser rest_user(const devserver::DevServer& server, const std::string& username) {
  auto r = RestUser::sign_in(server.url(), server.api_key(), username, username + "-password");
  if (!r.ok()) throw std::runtime_error("sign in " + username + ": " + r.error().describe());
  return std::move(r).value();
}

RpcOptions rpc_options(const devserver::DevServer& server, const std::string& username,
                       const test::TempDir& dir, const std::string& db_name) {
  RpcOptions o;
  o.server_url = server.url();
  o.api_key = server.api_key();
  o.user = username;
  o.password = username + "-password";
  o.db = dir.file(db_name.empty() ? username + ".db" : db_name);
  o.stderr_file = dir.file(username + ".stderr");
  // WHISP_RPC_LOG=DIR: every rpc logs at debug level into DIR/<user>.stderr and keeps its
  // store in DIR, both kept after the test: a failed chaos run's delivery decisions are read in
  // the logs, and every event each engine received, in order, in its store's log
  // (`whisp-replay --events`).
  if (const char* keep = std::getenv("WHISP_RPC_LOG"); keep && *keep) {
    o.log_level = "debug";
    o.stderr_file = (std::filesystem::path(keep) / (username + ".stderr")).string();
    o.db = (std::filesystem::path(keep) / (db_name.empty() ? username + ".db" : db_name)).string();
  }
  return o;
}

Probe probe_of(const std::string& name, test::TestEngine& engine, const RestUser& rest) {
  Probe p;
  p.name = name;
  p.rest = &rest;
  p.snapshot = [&engine] { return engine->snapshot_json(); };
  p.wait_change = [&engine](std::chrono::milliseconds timeout) {
    auto text = [&engine]() -> std::string {
      auto json = engine->snapshot_json();
      return json.ok() ? *json : std::string();
    };
    auto before = text();
    engine.wait([&] { return text() != before; }, timeout);
  };
  return p;
}

Probe probe_of(const std::string& name, RpcProcess& rpc, const RestUser& rest) {
  Probe p;
  p.name = name;
  p.rest = &rest;
  p.snapshot = [&rpc]() -> Result<std::string> {
    auto r = rpc.call("snapshot");
    if (!r.ok) return Error{ErrorCode::rejected, "snapshot: " + r.raw + r.message};
    return r.result;
  };
  p.wait_change = [&rpc](std::chrono::milliseconds timeout) { rpc.wait_change(timeout); };
  return p;
}

std::vector<const rapidjson::Value*> messages_with_text(const rapidjson::Value& snapshot,
                                                        const std::string& chat_id,
                                                        const std::string& text) {
  std::vector<const rapidjson::Value*> out;
  const auto* chat = test::find_chat(snapshot, chat_id);
  if (!chat) return out;
  for (const auto& m : (*chat)["messages"].GetArray()) {
    if (text == m["text"].GetString()) out.push_back(&m);
  }
  return out;
}

int reactions_with_emoji(const rapidjson::Value& snapshot, const std::string& emoji,
                         int* confirmed) {
  int n = 0;
  if (confirmed) *confirmed = 0;
  if (!snapshot.IsObject() || !snapshot.HasMember("chats")) return 0;
  for (const auto& chat : snapshot["chats"].GetArray()) {
    for (const auto& m : chat["messages"].GetArray()) {
      for (const auto& r : m["reactions"].GetArray()) {
        if (emoji != r["emoji"].GetString()) continue;
        ++n;
        if (confirmed && r["reactionId"].IsString()) ++*confirmed;
      }
    }
  }
  return n;
}

ServerCounts server_counts(const RestUser& rest) {
  auto history = rest.fetch_history();
  if (!history.ok()) throw std::runtime_error("history: " + history.error().describe());
  ServerCounts c;
  for (const auto& [chat, msgs] : *history) {
    for (const auto& m : msgs) {
      ++c.texts[m.text];
      for (const auto& r : m.reactions) ++c.emojis[r.emoji];
    }
  }
  return c;
}

std::string js(const std::string& s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace whisp::synctest
