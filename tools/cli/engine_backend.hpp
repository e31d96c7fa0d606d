// The JSON-RPC session's backend over a real whisp::Engine: plain forwarding.
#pragma once

#include "rpc_session.hpp"
#include "whisp/engine.hpp"

namespace whisp::cli {

class EngineBackend final : public RpcBackend {
 public:
  /// `engine` must outlive the backend.
  explicit EngineBackend(Engine& engine) : e_(engine) {}

  Result<std::string> send_message(const std::string& c, const std::string& t) override {
    return e_.send_message(c, t);
  }
  Result<std::string> reply(const std::string& c, const ItemRef& p, const std::string& t) override {
    return e_.reply(c, p, t);
  }
  Status edit_message(const std::string& c, const ItemRef& m, const std::string& t) override {
    return e_.edit_message(c, m, t);
  }
  Status delete_message(const std::string& c, const ItemRef& m) override {
    return e_.delete_message(c, m);
  }
  Result<std::string> react(const std::string& c, const ItemRef& m, const std::string& e) override {
    return e_.react(c, m, e);
  }
  Status unreact(const std::string& c, const ItemRef& r) override { return e_.unreact(c, r); }
  Status mark_read(const std::string& c, const std::string& m) override {
    return e_.mark_read(c, m);
  }
  Status typing(const std::string& c) override { return e_.typing(c); }
  Result<std::string> create_chat(const std::string& n, const std::vector<std::string>& u) override {
    return e_.create_chat(n, u);
  }
  Result<std::string> add_user(const std::string& c, const std::string& u) override {
    return e_.add_user(c, u);
  }
  Result<std::string> remove_user(const std::string& c, const std::string& u) override {
    return e_.remove_user(c, u);
  }
  Result<std::string> rename_chat(const std::string& c, const std::string& n) override {
    return e_.rename_chat(c, n);
  }
  Result<std::string> delete_chat(const std::string& c) override { return e_.delete_chat(c); }
  Result<std::string> snapshot_json(const std::optional<std::string>& c) override {
    return e_.snapshot_json(c);
  }
  Result<int> load_older(const std::string& c, int n) override { return e_.load_older(c, n); }
  void go_offline() override { e_.go_offline(); }
  void go_online() override { e_.go_online(); }
  bool wait_idle(std::chrono::milliseconds t) override { return e_.wait_idle(t); }

 private:
  Engine& e_;
};

}  // namespace whisp::cli
