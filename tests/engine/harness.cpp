#include "harness.hpp"

#include <random>

namespace whisp::test {

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("whisp-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::unique_ptr<devserver::DevServer> start_server(
    std::function<void(devserver::DevServerOptions&)> tweak) {
  devserver::DevServerOptions options;
  options.seed_demo = true;
  options.pbkdf2_iterations = 1000;
  if (tweak) tweak(options);
  auto server = devserver::DevServer::start(options);
  if (!server.ok()) throw std::runtime_error("devserver: " + server.error().describe());
  return std::move(server).value();
}

std::unique_ptr<TestEngine> TestEngine::start(const devserver::DevServer& server,
                                              const std::string& username, const std::string& db,
                                              std::function<void(Config&)> tweak) {
  auto te = std::unique_ptr<TestEngine>(new TestEngine());
  Config config;
  config.server_url = server.url();
  config.database_path = db;
  config.auth = SignIn{server.api_key(), username, username + "-password"};
  config.backoff_initial = std::chrono::milliseconds(50);
  config.backoff_max = std::chrono::milliseconds(500);
  config.heart_beat = std::chrono::milliseconds(2000);
  config.echo_timeout = std::chrono::milliseconds(3000);
  if (tweak) tweak(config);
  TestEngine* self = te.get();
  Callbacks callbacks;
  callbacks.on_change = [self](const Change& change) {
    {
      std::lock_guard<std::mutex> lock(self->mutex_);
      if (self->engine_) {
        for (const auto& chat_id : change.chat_ids) {
          auto json = self->engine_->snapshot_json(chat_id);
          if (!json.ok()) continue;
          rapidjson::Document doc;
          doc.Parse(json->c_str());
          if (!doc.IsObject() || !doc.HasMember("chats")) continue;
          for (const auto& chat : doc["chats"].GetArray()) {
            for (const auto& m : chat["messages"].GetArray()) {
              if (!m["localId"].IsString()) continue;
              auto& seen = self->statuses_[m["localId"].GetString()];
              std::string status = m["status"].GetString();
              if (seen.empty() || seen.back() != status) seen.push_back(status);
            }
          }
        }
      }
    }
    self->bump();
  };
  callbacks.on_connection = [self](const ConnectionEvent& e) {
    {
      std::lock_guard<std::mutex> lock(self->mutex_);
      self->connection_events_.push_back(e);
    }
    self->bump();
  };
  callbacks.on_error = [self](const Error& e) {
    {
      std::lock_guard<std::mutex> lock(self->mutex_);
      self->errors_.push_back(e);
    }
    self->bump();
  };
  callbacks.on_tokens = [self](const Tokens& t) {
    {
      std::lock_guard<std::mutex> lock(self->mutex_);
      self->tokens_.push_back(t);
    }
    self->bump();
  };
  auto engine = Engine::start(std::move(config), std::move(callbacks));
  if (!engine.ok()) throw std::runtime_error("engine: " + engine.error().describe());
  {
    std::lock_guard<std::mutex> lock(te->mutex_);
    te->engine_ = std::move(engine).value();
  }
  return te;
}

TestEngine::~TestEngine() {
  std::unique_ptr<Engine> engine;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    engine = std::move(engine_);
  }
  engine.reset();
}

void TestEngine::bump() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++generation_;
  }
  changed_.notify_all();
}

bool TestEngine::wait(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::uint64_t seen;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      seen = generation_;
    }
    if (pred()) return true;
    std::unique_lock<std::mutex> lock(mutex_);
    // Typing expiry and timers change state without a commit: wake at least every 200 ms to
    // re-check the predicate, but never later than the deadline.
    auto wake = std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
    changed_.wait_until(lock, wake, [&] { return generation_ != seen; });
    if (std::chrono::steady_clock::now() >= deadline) {
      lock.unlock();
      return pred();
    }
  }
}

rapidjson::Document TestEngine::snapshot(const std::string& chat_id) {
  auto json = chat_id.empty() ? engine_->snapshot_json() : engine_->snapshot_json(chat_id);
  rapidjson::Document doc;
  if (json.ok()) doc.Parse(json->c_str());
  return doc;
}

std::string TestEngine::status_of_text(const std::string& chat_id, const std::string& text) {
  auto doc = snapshot(chat_id);
  const auto* chat = find_chat(doc, chat_id);
  if (!chat) return "";
  const auto* m = find_message(*chat, text);
  return m ? (*m)["status"].GetString() : "";
}

std::vector<ConnectionEvent> TestEngine::connection_events() {
  std::lock_guard<std::mutex> lock(mutex_);
  return connection_events_;
}

std::vector<Error> TestEngine::errors() {
  std::lock_guard<std::mutex> lock(mutex_);
  return errors_;
}

std::vector<std::string> TestEngine::statuses_seen(const std::string& local_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = statuses_.find(local_id);
  return it == statuses_.end() ? std::vector<std::string>{} : it->second;
}

std::vector<Tokens> TestEngine::tokens() {
  std::lock_guard<std::mutex> lock(mutex_);
  return tokens_;
}

std::size_t TestEngine::connection_event_count() {
  std::lock_guard<std::mutex> lock(mutex_);
  return connection_events_.size();
}

bool TestEngine::wait_reported(ConnectionState state, std::chrono::milliseconds timeout) {
  return wait([&] {
    std::lock_guard<std::mutex> lock(mutex_);
    return !connection_events_.empty() && connection_events_.back().state == state;
  }, timeout);
}

std::string TestEngine::latest_jwt(std::chrono::milliseconds timeout) {
  if (!wait([&] {
        std::lock_guard<std::mutex> lock(mutex_);
        return !tokens_.empty();
      }, timeout)) {
    return "";
  }
  std::lock_guard<std::mutex> lock(mutex_);
  return tokens_.back().jwt;
}

const rapidjson::Value* find_chat(const rapidjson::Value& snapshot, const std::string& chat_id) {
  if (!snapshot.IsObject() || !snapshot.HasMember("chats")) return nullptr;
  for (const auto& chat : snapshot["chats"].GetArray()) {
    if (chat_id == chat["chatId"].GetString()) return &chat;
  }
  return nullptr;
}

const rapidjson::Value* find_message(const rapidjson::Value& chat, const std::string& text) {
  for (const auto& m : chat["messages"].GetArray()) {
    if (text == m["text"].GetString()) return &m;
  }
  return nullptr;
}

}  // namespace whisp::test
