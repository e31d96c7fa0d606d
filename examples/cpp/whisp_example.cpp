// Embedding whisp-engine from C++ through whisp/engine.hpp.
//
//   whisp_example_cpp SERVER_URL USERNAME PASSWORD API_KEY DB_PATH
//
// Signs in, waits until synced, sends a message to the user's first chat, waits until the
// server confirmed it, and prints that chat's snapshot JSON. Exit 0 on success.
#include <atomic>
#include <chrono>
#include <iostream>
#include <string>

#include "whisp/engine.hpp"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: " << argv[0] << " SERVER_URL USERNAME PASSWORD API_KEY DB_PATH\n";
    return 2;
  }
  whisp::Config config;
  config.server_url = argv[1];
  config.database_path = argv[5];
  config.auth = whisp::SignIn{/*api_key=*/argv[4], /*username=*/argv[2], /*password=*/argv[3]};

  std::atomic<int> changes{0};
  whisp::Callbacks callbacks;  // run on the engine's thread: keep them short
  callbacks.on_change = [&](const whisp::Change&) { ++changes; };
  callbacks.on_connection = [](const whisp::ConnectionEvent& e) {
    std::cerr << "connection: " << whisp::to_string(e.state) << "\n";
  };
  callbacks.on_error = [](const whisp::Error& e) { std::cerr << "error: " << e.describe() << "\n"; };

  auto engine = whisp::Engine::start(std::move(config), std::move(callbacks));
  if (!engine) {
    std::cerr << "start failed: " << engine.error().describe() << "\n";
    return 1;
  }
  whisp::Engine& e = **engine;
  if (!e.wait_idle(std::chrono::seconds(20))) {
    std::cerr << "not synced in time\n";
    return 1;
  }
  auto all = e.snapshot_json();
  const std::string key = "\"chatId\":\"";
  auto at = all ? all->find(key) : std::string::npos;
  if (at == std::string::npos) {
    std::cerr << "the user has no chat\n";
    return 1;
  }
  at += key.size();
  const std::string chat_id = all->substr(at, all->find('"', at) - at);

  auto local_id = e.send_message(chat_id, "hello from C++");
  if (!local_id) {
    std::cerr << "send failed: " << local_id.error().describe() << "\n";
    return 1;
  }
  std::cout << "sent " << *local_id << " to chat " << chat_id << "\n";
  auto chat = e.wait_idle(std::chrono::seconds(20)) ? e.snapshot_json(chat_id)
                                                    : whisp::Result<std::string>(whisp::Error{
                                                          whisp::ErrorCode::timeout, "not idle"});
  if (!chat || chat->find("\"text\":\"hello from C++\"") == std::string::npos) {
    std::cerr << "the message was not confirmed\n";
    return 1;
  }
  std::cout << *chat << "\n" << changes.load() << " change notification(s)\n";
  return 0;  // the engine stops when `engine` goes out of scope
}
