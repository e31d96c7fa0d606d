#include "devserver.hpp"

#include <boost/asio/io_context.hpp>

#include <thread>

#include "http_session.hpp"
#include "seed.hpp"

namespace whisp::devserver {

struct DevServer::Impl {
  // Declaration order is destruction order reversed: the io_context (and with it every pending
  // session) goes before the context the sessions refer to.
  std::unique_ptr<ServerContext> ctx;
  std::unique_ptr<boost::asio::io_context> ioc;
  std::shared_ptr<Listener> listener;
  std::vector<std::thread> threads;
  std::vector<SeededUser> seeded;
  std::string seeded_chat;
  std::uint16_t port = 0;
  std::mutex stop_mutex;
  bool stopped = false;
};

Result<std::unique_ptr<DevServer>> DevServer::start(DevServerOptions options) {
  auto impl = std::make_unique<Impl>();
  auto state = State::open(options.db_path);
  if (!state) return state.error();
  auto key = (*state)->jwt_key();
  if (!key) return key.error();
  const unsigned threads = options.threads == 0 ? 1 : options.threads;
  const bool seed = options.seed_demo;
  const std::string host = options.host;
  const auto port = options.port;
  impl->ctx = std::make_unique<ServerContext>(std::move(options), std::move(*state),
                                              std::move(*key));
  if (seed) {
    auto s = seed_demo(*impl->ctx);
    if (!s) return s.error();
    impl->seeded = std::move(s->users);
    impl->seeded_chat = std::move(s->chat_id);
  }
  impl->ioc = std::make_unique<boost::asio::io_context>(static_cast<int>(threads));
  auto listener = Listener::open(*impl->ioc, *impl->ctx, host, port);
  if (!listener) return listener.error();
  impl->listener = std::move(*listener);
  impl->port = impl->listener->port();
  impl->listener->run();
  for (unsigned i = 0; i < threads; ++i) {
    impl->threads.emplace_back([ioc = impl->ioc.get()] { ioc->run(); });
  }
  return std::unique_ptr<DevServer>(new DevServer(std::move(impl)));
}

DevServer::DevServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DevServer::~DevServer() { stop(); }

void DevServer::stop() {
  std::lock_guard<std::mutex> lock(impl_->stop_mutex);
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->listener->stop();
  impl_->ctx->hub.drop_all();
  impl_->ioc->stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  impl_->listener.reset();
  impl_->ioc.reset();  // destroys the pending handlers and with them the sessions
}

std::uint16_t DevServer::port() const { return impl_->port; }
const std::string& DevServer::host() const { return impl_->ctx->options.host; }
std::string DevServer::url() const { return "http://" + host() + ":" + std::to_string(port()); }
const std::string& DevServer::api_key() const { return impl_->ctx->options.api_key; }
const std::vector<SeededUser>& DevServer::seeded_users() const { return impl_->seeded; }
const std::string& DevServer::seeded_chat_id() const { return impl_->seeded_chat; }

void DevServer::set_faults(const FaultUpdate& update) { impl_->ctx->faults.update(update); }
FaultConfig DevServer::faults() const { return impl_->ctx->faults.config(); }

std::size_t DevServer::kick(const std::string& username) {
  std::optional<UserRow> u;
  {
    std::lock_guard<std::mutex> lock(impl_->ctx->mutex);
    u = impl_->ctx->state->user_by_name(username);
  }
  return u ? impl_->ctx->hub.kick(u->id) : 0;
}

std::size_t DevServer::connection_count(const std::string& username) const {
  if (username.empty()) return impl_->ctx->hub.connection_count();
  std::optional<UserRow> u;
  {
    std::lock_guard<std::mutex> lock(impl_->ctx->mutex);
    u = impl_->ctx->state->user_by_name(username);
  }
  return u ? impl_->ctx->hub.connection_count(u->id) : 0;
}

}  // namespace whisp::devserver

namespace whisp::devserver {

std::size_t DevServer::subscription_count(const std::string& username) const {
  std::optional<UserRow> u;
  {
    std::lock_guard<std::mutex> lock(impl_->ctx->mutex);
    u = impl_->ctx->state->user_by_name(username);
  }
  return u ? impl_->ctx->hub.subscription_count(u->id) : 0;
}

}  // namespace whisp::devserver
