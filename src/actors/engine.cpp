// The public Engine: starts the actor system and the actors, and turns each API call into a
// request to them. Blocking calls wait on a scoped actor; nothing here touches the store's
// projections except through the writer (and reads through the Reader).
#include "whisp/engine.hpp"

#include <cstdio>
#include <mutex>
#include <random>

#include "actors/api_actor.hpp"
#include "actors/connection_actor.hpp"
#include "actors/cut_judge.hpp"
#include "actors/engine_impl.hpp"
#include "actors/hub_actor.hpp"
#include "actors/notifier_actor.hpp"
#include "actors/snapshot_typing.hpp"
#include "actors/sync_actor.hpp"
#include "actors/writer_actor.hpp"
#include "net/io_thread.hpp"
#include "net/url.hpp"
#include "protocol/rest.hpp"
#include "protocol/timestamp.hpp"
#include "store/reader.hpp"
#include "store/snapshot.hpp"
#include "whisp/log.hpp"

namespace whisp {

using namespace actors;

const char* to_string(ConnectionState state) {
  switch (state) {
    case ConnectionState::disconnected:
      return "disconnected";
    case ConnectionState::connecting:
      return "connecting";
    case ConnectionState::connected:
      return "connected";
    case ConnectionState::reconnecting:
      return "reconnecting";
    case ConnectionState::auth_failed:
      return "auth_failed";
  }
  return "?";
}

namespace {

Status validate(const Config& config) {
  if (config.database_path.empty() || config.database_path == ":memory:") {
    return Error{ErrorCode::invalid_argument, "config.database_path: a file path is required"};
  }
  auto url = net::parse_url(config.server_url);
  if (!url.ok())
    return Error{ErrorCode::invalid_argument, "config.server_url: " + url.error().message};
  if (url->websocket()) {
    return Error{ErrorCode::invalid_argument,
                 "config.server_url: give the http(s) base URL, not " + url->scheme};
  }
  if (auto* tokens = std::get_if<Tokens>(&config.auth)) {
    if (tokens->user_id.empty() || tokens->jwt.empty() || tokens->refresh_token.empty()) {
      return Error{ErrorCode::invalid_argument,
                   "config.auth: tokens need user_id, jwt and refresh_token"};
    }
  } else {
    const auto& s = std::get<SignIn>(config.auth);
    if (s.username.empty() || s.password.empty() || s.api_key.empty()) {
      return Error{ErrorCode::invalid_argument,
                   "config.auth: sign-in needs api_key, username and password"};
    }
  }
  if (config.max_sends < 1)
    return Error{ErrorCode::invalid_argument, "config.max_sends: must be >= 1"};
  return Ok{};
}

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::start(Config config, Callbacks callbacks) {
  if (auto ok = validate(config); !ok.ok()) return ok.error();
  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  auto& cfg = impl->config;
  cfg.server_url = trim_slash(cfg.server_url);
  impl->io = std::make_unique<net::IoThread>();
  impl->caf_config = std::make_unique<caf::actor_system_config>();
  impl->caf_config->set("logger.verbosity", caf::atom("quiet"));
  impl->system = std::make_unique<caf::actor_system>(*impl->caf_config);
  auto& sys = *impl->system;

  // The notifier also wakes wait_idle() after every change it delivers.
  // Live views (include/whisp/live.hpp) listen after the app's callback.
  auto signals = impl->signals;
  auto listeners = impl->listeners;
  Callbacks wrapped = callbacks;
  wrapped.on_change = [signals, listeners, cb = callbacks.on_change](const Change& c) {
    if (cb) cb(c);
    listeners->notify(c);
    signals->bump();
  };
  impl->notifier = spawn_notifier(sys, std::move(wrapped));

  ApiOptions api_options;
  api_options.base_url = cfg.server_url;
  api_options.auth = cfg.auth;
  api_options.timeout = cfg.request_timeout;
  api_options.tls = net::TlsOptions{cfg.tls.verify_peer, cfg.tls.ca_file};
  impl->api = spawn_api(sys, *impl->io, api_options, impl->notifier);

  if (std::holds_alternative<SignIn>(cfg.auth)) {
    auto reply = impl->ask<ApiReply>(impl->api, SignInCall{}, impl->call_timeout());
    if (!reply.ok() || reply->error) {
      auto error = reply.ok() ? *reply->error : reply.error();
      impl->stop();
      return error;
    }
    impl->own_username = std::get<SignIn>(cfg.auth).username;
  }
  auto who = impl->ask<std::string>(impl->api, WhoAmI{}, impl->call_timeout());
  if (!who.ok()) {
    impl->stop();
    return who.error();
  }
  impl->user_id = *who;

  store::OpenOptions open_options;
  open_options.self_user_id = impl->user_id;
  auto store = store::Store::open(cfg.database_path, open_options);
  if (!store.ok()) {
    impl->stop();
    return store.error();
  }
  auto reader = store::Reader::open(cfg.database_path);
  if (!reader.ok()) {
    impl->stop();
    return reader.error();
  }
  impl->reader = std::move(reader).value();
  auto committed = std::make_shared<std::atomic<std::int64_t>>(0);
  impl->writer = spawn_writer(sys, std::move(store).value(), impl->notifier, committed);
  impl->hub = spawn_hub(sys, impl->signals);
  impl->judge = spawn_cut_judge(sys);

  SyncOptions sync_options;
  sync_options.committed = committed;
  sync_options.initial_depth = cfg.initial_history_depth;
  sync_options.revalidate_depth = cfg.revalidate_history_depth;
  sync_options.concurrency = cfg.sync_concurrency;
  impl->sync = spawn_sync(sys, sync_options, impl->api, impl->writer, impl->hub, impl->notifier);

  ConnectionOptions conn;
  conn.base_url = cfg.server_url;
  conn.user_id = impl->user_id;
  conn.heart_beat = cfg.heart_beat;
  conn.backoff_initial = cfg.backoff_initial;
  conn.backoff_max = cfg.backoff_max;
  conn.timeout = cfg.request_timeout;
  conn.echo_timeout = cfg.echo_timeout;
  conn.tls = net::TlsOptions{cfg.tls.verify_peer, cfg.tls.ca_file};
  conn.start_online = cfg.start_online;
  impl->connection = spawn_connection(sys, *impl->io, conn, impl->api, impl->hub, impl->notifier);

  auto ctx = std::make_shared<ChatContext>();
  ctx->writer = impl->writer;
  ctx->connection = impl->connection;
  ctx->sync = impl->sync;
  ctx->notifier = impl->notifier;
  ctx->judge = impl->judge;
  ctx->typing = impl->typing;
  ctx->self_id = impl->user_id;
  ctx->echo_timeout = cfg.echo_timeout;
  ctx->max_sends = cfg.max_sends;
  ctx->max_frame_bytes = cfg.max_frame_bytes;
  caf::anon_send(impl->hub, HubSetup{std::move(ctx)});
  caf::anon_send(impl->connection, start_atom::value);
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() {
  impl_->stop();
}

const std::string& Engine::user_id() const {
  return impl_->user_id;
}

namespace {

store::Target to_target(const ItemRef& ref) {
  store::Target t;
  (ref.local ? t.local_id : t.message_id) = ref.id;
  return t;
}

// A named, default-initialized intent: GCC -O3 warned (falsely) that the braced temporary's
// empty local id and timestamp may be used uninitialized.
template <class What>
store::LocalIntent intent_of(What what) {
  store::LocalIntent in;
  in.what = std::move(what);
  return in;
}

Status require(bool ok, const char* what) {
  if (ok) return Ok{};
  return Error{ErrorCode::invalid_argument, what};
}

}  // namespace

Result<std::string> Engine::send_message(const std::string& chat_id, const std::string& text) {
  if (auto ok = require(!chat_id.empty(), "chatId: empty"); !ok.ok()) return ok.error();
  if (auto ok = require(!text.empty(), "text: empty"); !ok.ok()) return ok.error();
  return impl_->intent(intent_of(store::intent::Send{chat_id, text}));
}

Result<std::string> Engine::reply(const std::string& chat_id, const ItemRef& parent,
                                  const std::string& text) {
  if (auto ok = require(!text.empty() && !parent.id.empty(), "reply: text and parent are required");
      !ok.ok())
    return ok.error();
  return impl_->intent(intent_of(store::intent::Reply{chat_id, to_target(parent), text}));
}

Status Engine::edit_message(const std::string& chat_id, const ItemRef& message,
                            const std::string& text) {
  if (auto ok = require(!text.empty(), "text: empty"); !ok.ok()) return ok;
  auto r = impl_->intent(intent_of(store::intent::Edit{chat_id, to_target(message), text}));
  if (!r.ok()) return r.error();
  return Ok{};
}

Status Engine::delete_message(const std::string& chat_id, const ItemRef& message) {
  auto r = impl_->intent(intent_of(store::intent::Delete{chat_id, to_target(message)}));
  if (!r.ok()) return r.error();
  return Ok{};
}

Result<std::string> Engine::react(const std::string& chat_id, const ItemRef& message,
                                  const std::string& emoji) {
  if (auto ok = require(!emoji.empty(), "emoji: empty"); !ok.ok()) return ok.error();
  return impl_->intent(intent_of(store::intent::React{chat_id, to_target(message), emoji}));
}

Status Engine::unreact(const std::string& chat_id, const ItemRef& reaction) {
  auto r = impl_->intent(intent_of(store::intent::Unreact{chat_id, to_target(reaction)}));
  if (!r.ok()) return r.error();
  return Ok{};
}

Status Engine::mark_read(const std::string& chat_id, const std::string& message_id) {
  if (auto ok = require(!message_id.empty(), "messageId: empty"); !ok.ok()) return ok;
  auto r = impl_->intent(intent_of(store::intent::MarkRead{chat_id, message_id}));
  if (!r.ok()) return r.error();
  return Ok{};
}

Status Engine::typing(const std::string& chat_id) {
  if (auto ok = require(!chat_id.empty(), "chatId: empty"); !ok.ok()) return ok;
  caf::anon_send(impl_->hub, TypingRequest{chat_id});
  return Ok{};
}

Result<std::string> Engine::create_chat(const std::string& name,
                                        const std::vector<std::string>& user_names) {
  auto names = user_names;
  {
    std::lock_guard<std::mutex> lock(impl_->username_mutex);
    if (impl_->own_username.empty()) {
      auto me = impl_->rest("GET", "/api/user/getUser", "");
      if (!me.ok()) return me.error();
      auto user = rest::decode_current_user(*me);
      if (!user.ok()) return user.error();
      impl_->own_username = user->username;
    }
    if (std::find(names.begin(), names.end(), impl_->own_username) == names.end()) {
      names.push_back(impl_->own_username);
    }
  }
  auto body = impl_->rest("POST", "/api/chat/createChat",
                          rest::encode(rest::CreateChatRequest{name, names}));
  if (!body.ok()) return body;
  // The new chat is known to the store before this returns, so an action on it right away is
  // accepted; its NEW_CHAT event, arriving later, changes nothing more.
  auto details = rest::decode_chat_details(*body);
  if (!details.ok()) {
    return Error{details.error().code, "createChat reply: " + details.error().message};
  }
  store::ChatsPage entry;
  entry.page = store::ChatsPage::kCreated;
  entry.size = 1;
  entry.chats.chats.push_back(std::move(details).value());
  auto committed = impl_->ask<CommitReply>(impl_->writer, CommitRequest{{std::move(entry)}},
                                           impl_->call_timeout());
  if (!committed.ok()) return committed.error();
  if (committed->error) return *committed->error;
  return body;
}

Result<std::string> Engine::add_user(const std::string& chat_id, const std::string& username) {
  return impl_->rest("POST", "/api/chat/addUser",
                     rest::encode(rest::AddUserRequest{chat_id, username}));
}

Result<std::string> Engine::remove_user(const std::string& chat_id, const std::string& user_id) {
  return impl_->rest("POST", "/api/chat/removeUser",
                     rest::encode(rest::RemoveUserRequest{chat_id, user_id}));
}

Result<std::string> Engine::rename_chat(const std::string& chat_id, const std::string& name) {
  auto r = impl_->rest("POST", "/api/chat/changeName",
                       rest::encode(rest::ChangeNameRequest{chat_id, name}));
  // No realtime event exists for a rename: only getChats reveals it.
  if (r.ok()) caf::anon_send(impl_->sync, RefreshChats{});
  return r;
}

Result<std::string> Engine::delete_chat(const std::string& chat_id) {
  return impl_->rest("DELETE", "/api/chat/deleteChat?chatId=" + chat_id, "");
}

Result<std::string> Engine::snapshot_json(const std::optional<std::string>& chat_id) const {
  auto snapshot = impl_->reader->snapshot(chat_id);
  if (!snapshot.ok()) return snapshot.error();
  store::JsonOptions options;
  options.with_errors = true;
  return with_typing(store::to_json(*snapshot, options), *impl_->typing);
}

Result<int> Engine::load_older(const std::string& chat_id, int count) {
  if (count <= 0) return Error{ErrorCode::invalid_argument, "count: must be positive"};
  auto reply =
      impl_->ask<LoadOlderReply>(impl_->sync, LoadOlder{chat_id, count}, impl_->call_timeout());
  if (!reply.ok()) return reply.error();
  if (reply->error) return *reply->error;
  return reply->loaded;
}

void Engine::go_offline() {
  caf::anon_send(impl_->connection, offline_atom::value);
}
void Engine::go_online() {
  caf::anon_send(impl_->connection, online_atom::value);
}

ConnectionState Engine::connection_state() const {
  return impl_->signals->state.load();
}

namespace {

// Why wait_idle gave up, for the log (an app's or a test's first question).
void log_not_idle(Engine::Impl& impl) {
  if (log_level() > LogLevel::info) return;
  auto& signals = *impl.signals;
  std::string why = std::string("wait_idle: not idle: ") + to_string(signals.state.load()) +
                    (signals.synced ? ", backfill done" : ", backfill not done");
  auto outbox = impl.ask<OutboxReply>(impl.writer, OutboxQuery{}, impl.call_timeout());
  if (outbox.ok() && !outbox->error) {
    why += ", " + std::to_string(outbox->items.size()) + " actions in the outbox";
    for (const auto& item : outbox->items) {
      why += " " + item.intent.local_id +
             (item.state == store::OutboxItem::State::sent ? "(sent)" : "(pending)");
    }
  }
  log(LogLevel::info, "engine", why);
}

}  // namespace

bool Engine::wait_idle(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto& signals = *impl_->signals;
  while (true) {
    std::uint64_t seen;
    {
      std::lock_guard<std::mutex> lock(signals.mutex);
      seen = signals.generation;
    }
    if (signals.state == ConnectionState::connected && signals.synced) {
      auto outbox = impl_->ask<OutboxReply>(impl_->writer, OutboxQuery{}, impl_->call_timeout());
      if (outbox.ok() && !outbox->error && outbox->items.empty()) return true;
    }
    std::unique_lock<std::mutex> lock(signals.mutex);
    if (!signals.changed.wait_until(lock, deadline, [&] { return signals.generation != seen; })) {
      lock.unlock();
      log_not_idle(*impl_);
      return false;
    }
  }
}

Status Engine::logout(bool erase_store) {
  auto done = impl_->ask<Done>(impl_->api, LogoutCall{}, impl_->call_timeout());
  impl_->stop();
  auto path = impl_->config.database_path;
  if (erase_store) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  }
  if (!done.ok()) return done.error();
  if (done->error) return *done->error;
  return Ok{};
}

}  // namespace whisp
