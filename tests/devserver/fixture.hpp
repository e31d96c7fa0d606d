// Test fixture: an in-process DevServer on loopback plus helpers for users, chats and STOMP
// connections.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "devserver.hpp"
#include "test_client.hpp"

namespace whisp::devserver::testing {

/// A client timeStamp for actions.
inline const std::string kTs = "2024-01-15T10:30:00Z";

struct TestUser {
  std::string id, username, password, jwt, refresh_token;
  std::map<std::string, std::string> auth() const { return {{"Authorization", "Bearer " + jwt}}; }
};

/// Options for tests: cheap password hashing.
DevServerOptions test_options();

class Fixture {
 public:
  explicit Fixture(DevServerOptions o = test_options());

  DevServer& server() { return *server_; }
  std::uint16_t port() const { return server_->port(); }
  std::map<std::string, std::string> api_key() const { return {{"x-api-key", server_->api_key()}}; }

  /// Registers and signs in; REQUIREs success.
  TestUser user(const std::string& name);
  /// Creates a chat of the creator and the other usernames; REQUIREs success; returns chatId.
  std::string chat(const TestUser& creator, const std::vector<std::string>& others,
                   const std::string& name = "chat");
  std::string ticket(const TestUser& u);
  /// Ticket, WebSocket, CONNECT (heart-beat 0,0 unless given), CONNECTED, SUBSCRIBE; REQUIREs.
  std::unique_ptr<WsClient> connect(const TestUser& u, const std::string& heart_beat = "0,0");

  HttpResult get(const TestUser& u, const std::string& target);
  HttpResult post(const TestUser& u, const std::string& target, const std::string& body);
  HttpResult del(const TestUser& u, const std::string& target);

 private:
  std::unique_ptr<DevServer> server_;
};

/// Parses JSON; REQUIREs it to be an object.
rapidjson::Document parse_object(const std::string& json);
/// The member names of a JSON object.
std::set<std::string> keys_of(const rapidjson::Value& v);
/// A SEND frame to /api/chat with the body.
stomp::Frame send_frame(const std::string& body, const std::string& receipt = {});

}  // namespace whisp::devserver::testing
