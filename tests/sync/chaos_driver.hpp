// The driver of the chaos test (chaos_test.cpp): `whisp rpc` clients, seeded random actions of
// every kind at a steady pace with random offline periods, and the bookkeeping that tells a
// legitimately failed action (a poison action) from a lost or duplicated one.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "sync_fixture.hpp"

namespace whisp::synctest {

class ChaosDriver {
 public:
  ChaosDriver(const devserver::DevServer& server, const test::TempDir& dir, std::uint64_t seed);
  ~ChaosDriver();

  /// Spawns one `whisp rpc` per seeded user and waits until each is idle. Throws on failure.
  void start_clients(const std::vector<std::string>& usernames);
  /// Random actions for `duration` (about `rate` per second over all clients).
  void run(std::chrono::seconds duration, double rate = 15);
  /// Every client online, idle, and holding its chats' whole history (loadOlder until nothing
  /// more). "" or what went wrong.
  std::string settle(std::chrono::seconds timeout);
  /// Invariant 4 for every client (truth.hpp). "" or the differences.
  std::string converge(std::chrono::seconds timeout);
  /// Zero duplicates and zero losses, as chaos_test.cpp defines them. "" or the problems.
  std::string duplicates_and_losses();
  /// Counts of the actions done, by kind.
  std::string summary() const;

 private:
  struct Client {
    std::string name, user_id;
    std::unique_ptr<RpcProcess> rpc;
    std::unique_ptr<RestUser> rest;
    bool online = true;
    std::chrono::steady_clock::time_point online_at;
  };
  struct Sent {  // a message or reply that returned a localId
    std::size_t client;
    std::string chat, root, parent_root;
    bool reply = false;
  };
  struct Reacted {  // a reaction that returned a localId
    std::size_t client;
    std::string chat, emoji, target_root;
  };

  void step();
  void act(std::size_t c, const rapidjson::Value& chat);
  void rest_action(std::size_t c, const rapidjson::Value& chat, int kind);
  bool poisoned(std::size_t client, const std::string& chat) const;
  bool doomed(const std::string& root) const;
  std::string trace(std::size_t client, const std::string& chat, const std::string& local) const;
  std::string next_name(const char* prefix);
  RpcReply call(std::size_t c, const std::string& method, const std::string& params);

  const devserver::DevServer& server_;
  const test::TempDir& dir_;
  std::mt19937_64 rng_;
  std::vector<Client> clients_;
  std::uint64_t counter_ = 0;
  std::map<std::string, int> done_;  // action kind -> count that succeeded
  std::map<std::string, Sent> sent_;
  std::map<std::string, Reacted> reacted_;
  std::map<std::string, std::size_t> deleted_roots_;  // root -> who deleted it
  std::set<std::string> unreacted_;                   // emojis
  std::set<std::pair<std::string, std::string>> removed_;  // (user id, chat id)
  std::set<std::string> deleted_chats_;
  std::map<std::string, std::size_t> created_by_;    // chat id -> client
  std::vector<std::string> problems_;                // rpc timeouts and the like
};

}  // namespace whisp::synctest
