// The connection actor's write gate (src/actors/write_gate.hpp) with real parts: the dev server
// over loopback, the real api and connection actors, and a recording actor in place of the hub
// and the notifier. The recorder also issues the writes and settlements the test asks for, so
// everything reaches the connection from one sender, in the order the test gave it.
#include "harness.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <utility>

#include "actors/api_actor.hpp"
#include "actors/connection_actor.hpp"
#include "actors/frames.hpp"
#include "net/io_thread.hpp"
#include "protocol/actions.hpp"
#include "protocol/events.hpp"
#include "protocol/timestamp.hpp"

using namespace whisp;
using namespace whisp::actors;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// What the recorder saw, shared with the test thread.
struct Record {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> echoes;  // texts of the SEND_MSG events, in arrival order
  std::vector<ConnectionWrites> cuts;
  int connected = 0;                        // `connected` reports
  std::map<std::string, bool> results;      // local id -> WriteResult::written
  std::map<std::string, Clock::time_point> result_at;
  std::vector<std::string> failures;        // errors the recorder was told about
};

// From the test to the recorder: write these, in order (each a request whose reply it records),
// or tell the connection an action is settled.
struct Issue {
  caf::actor connection;
  std::vector<WriteAction> writes;
};
struct Settle {
  caf::actor connection;
  std::string local_id;
};

}  // namespace

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(Issue)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(Settle)

namespace {

caf::behavior recorder(caf::event_based_actor* self, std::shared_ptr<Record> rec) {
  self->set_default_handler(caf::drop);
  auto note = [rec](auto&& change) {
    {
      std::lock_guard<std::mutex> lock(rec->mutex);
      change(*rec);
    }
    rec->changed.notify_all();
  };
  return {
      [=](Issue& issue) {
        for (auto& write : issue.writes) {
          auto id = write.local_id;
          self->request(issue.connection, caf::infinite, std::move(write))
              .then(
                  [=](WriteResult result) {
                    note([&](Record& r) {
                      r.results[id] = result.written;
                      r.result_at[id] = Clock::now();
                    });
                  },
                  [=](caf::error& err) {
                    note([&](Record& r) { r.failures.push_back(id + ": " + to_string(err)); });
                  });
        }
      },
      [=](Settle& settle) { self->send(settle.connection, WriteSettled{settle.local_id}); },
      [=](IncomingEvents& in) {
        note([&](Record& r) {
          for (const auto& e : in.events) {
            if (const auto* msg = std::get_if<event::SendMsg>(&e.event)) r.echoes.push_back(msg->text);
          }
        });
      },
      [=](ConnectionWrites& writes) { note([&](Record& r) { r.cuts.push_back(std::move(writes)); }); },
      [=](ConnectionEvent& e) {
        note([&](Record& r) { r.connected += e.state == ConnectionState::connected; });
      },
      [=](ActionRejected& rejected) {
        note([&](Record& r) { r.failures.push_back("rejected " + rejected.local_id); });
      },
      [](Error&) {},
      [](Tokens&) {},
  };
}

using Writes = std::vector<std::pair<std::string, bool>>;  // local id, written alone

Writes writes_of(const ConnectionWrites& cut) {
  Writes out;
  for (const auto& w : cut.writes) out.emplace_back(w.local_id, w.alone);
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// One signed-in alice: the dev server, the api and connection actors, and the recorder as their
// hub and notifier. Destruction order: the actors end before the I/O thread they use.
class GateFixture {
 public:
  explicit GateFixture(milliseconds echo_timeout = seconds(30))
      : server_(test::start_server()), system_(quiet(config_)) {
    chat_ = server_->seeded_chat_id();
    recorder_ = system_.spawn(recorder, rec_);
    ApiOptions api;
    api.base_url = server_->url();
    api.auth = SignIn{server_->api_key(), "alice", "alice-password"};
    api_ = spawn_api(system_, io_, api, recorder_);
    options_.base_url = server_->url();
    options_.heart_beat = milliseconds(2000);
    options_.backoff_initial = milliseconds(50);
    options_.backoff_max = milliseconds(500);
    options_.echo_timeout = echo_timeout;
  }

  ~GateFixture() {
    for (auto* a : {&connection_, &api_, &recorder_}) {
      if (*a) caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
      *a = caf::actor{};
    }
    system_.await_all_actors_done();
  }

  // Signs in, starts the connection and waits until it is subscribed. False on failure.
  bool start() {
    caf::scoped_actor self{system_};
    bool signed_in = false;
    self->request(api_, seconds(20), SignInCall{})
        .receive([&](ApiReply& reply) { signed_in = reply.ok(); }, [](caf::error&) {});
    if (!signed_in || chat_.empty()) return false;
    self->request(api_, seconds(20), WhoAmI{})
        .receive([&](std::string& id) { user_id_ = id; }, [](caf::error&) {});
    if (user_id_.empty()) return false;
    options_.user_id = user_id_;
    connection_ = spawn_connection(system_, io_, options_, api_, recorder_, recorder_);
    caf::anon_send(connection_, start_atom::value);
    return wait([&](const Record& r) {
      return r.connected == 1 && server_->subscription_count("alice") == 1;
    });
  }

  WriteAction send_msg(const std::string& local_id, bool solo = false) const {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
    action::SendMsg msg{chat_, text(local_id), timestamp_from_micros(micros).text};
    return WriteAction{chat_, local_id, send_frame(encode_action(msg, user_id_), local_id), solo};
  }
  static std::string text(const std::string& local_id) { return "gate test " + local_id; }

  void issue(std::vector<WriteAction> writes) {
    caf::anon_send(recorder_, Issue{connection_, std::move(writes)});
  }
  void settle(const std::string& local_id) {
    caf::anon_send(recorder_, Settle{connection_, local_id});
  }

  // Waits until `pred` holds on the record; it is re-checked on every change and at least every
  // 20 ms (for conditions on the server).
  template <class Pred>
  bool wait(Pred pred, milliseconds timeout = seconds(10)) {
    auto deadline = Clock::now() + timeout;
    std::unique_lock<std::mutex> lock(rec_->mutex);
    while (!pred(static_cast<const Record&>(*rec_))) {
      if (Clock::now() >= deadline) return false;
      rec_->changed.wait_until(lock, std::min(deadline, Clock::now() + milliseconds(20)));
    }
    return true;
  }
  bool echoed(const std::string& local_id) {
    return wait([&](const Record& r) { return has(r.echoes, text(local_id)); });
  }
  bool answered(const std::string& local_id) {
    return wait([&](const Record& r) { return r.results.count(local_id) > 0; });
  }
  template <class F>
  auto read(F f) {
    std::lock_guard<std::mutex> lock(rec_->mutex);
    return f(static_cast<const Record&>(*rec_));
  }
  // Issues A, then S solo (and B when `then_b`), waits for A's echo and checks that S is held:
  // S reached the connection right behind A, long before A's echo came back.
  void hold_s_behind_a(bool then_b = false) {
    std::vector<WriteAction> writes{send_msg("a"), send_msg("s", true)};
    if (then_b) writes.push_back(send_msg("b"));
    issue(std::move(writes));
    REQUIRE(echoed("a"));
    CHECK(read([](const Record& r) { return r.results.count("s") + r.results.count("b"); }) == 0);
  }

  // Closes alice's sockets at the server; returns the writes the connection reported for them.
  Writes kick() {
    auto before = read([](const Record& r) { return r.cuts.size(); });
    REQUIRE(server_->kick("alice") == 1);
    REQUIRE(wait([&](const Record& r) { return r.cuts.size() > before; }));
    return read([&](const Record& r) { return writes_of(r.cuts[before]); });
  }

  // The texts of the chat's messages as the server stores them (REST, newest 50).
  std::vector<std::string> server_texts() {
    caf::scoped_actor self{system_};
    std::vector<std::string> texts;
    ApiCall call{"GET", "/api/messages/getMessages/" + chat_ + "?size=50", "", true};
    self->request(api_, seconds(20), call)
        .receive(
            [&](ApiReply& reply) {
              REQUIRE(reply.ok());
              rapidjson::Document doc;
              doc.Parse(reply.body.c_str());
              REQUIRE((doc.IsObject() && doc.HasMember("messages")));
              for (const auto& m : doc["messages"].GetArray()) texts.push_back(m["content"].GetString());
            },
            [&](caf::error& err) { FAIL("getMessages: " << to_string(err)); });
    return texts;
  }

 private:
  static caf::actor_system_config& quiet(caf::actor_system_config& config) {
    config.set("logger.verbosity", caf::atom("quiet"));
    return config;
  }

  std::unique_ptr<devserver::DevServer> server_;
  net::IoThread io_;
  caf::actor_system_config config_;  // the system keeps a reference to it
  caf::actor_system system_;
  std::shared_ptr<Record> rec_ = std::make_shared<Record>();
  caf::actor recorder_, api_, connection_;
  ConnectionOptions options_;
  std::string chat_, user_id_;
};

}  // namespace

TEST_CASE("A write is recorded as alone only when every earlier write on the connection was settled",
          "[connection_gate]") {
  GateFixture fx;
  REQUIRE(fx.start());
  fx.issue({fx.send_msg("a"), fx.send_msg("b")});
  REQUIRE(fx.echoed("a"));
  REQUIRE(fx.echoed("b"));
  CHECK(fx.read([](const Record& r) { return r.results; }) ==
        std::map<std::string, bool>{{"a", true}, {"b", true}});
  CHECK(fx.kick() == Writes{{"a", true}, {"b", false}});
}

TEST_CASE("A solo write waits until the earlier write is settled, then goes alone and in order",
          "[connection_gate]") {
  GateFixture fx;
  REQUIRE(fx.start());
  fx.hold_s_behind_a();
  fx.settle("a");
  REQUIRE(fx.answered("s"));
  CHECK(fx.read([](const Record& r) { return r.results.at("s"); }));
  REQUIRE(fx.echoed("s"));
  CHECK(fx.read([](const Record& r) { return r.echoes; }) ==
        std::vector<std::string>{GateFixture::text("a"), GateFixture::text("s")});
  auto stored = fx.server_texts();
  CHECK(has(stored, GateFixture::text("a")));
  CHECK(has(stored, GateFixture::text("s")));
  CHECK(fx.kick() == Writes{{"a", true}, {"s", true}});
}

TEST_CASE("A held solo write is answered not written when the connection is cut, and never reaches "
          "the server",
          "[connection_gate]") {
  GateFixture fx;
  REQUIRE(fx.start());
  fx.hold_s_behind_a();
  CHECK(fx.kick() == Writes{{"a", true}});
  REQUIRE(fx.answered("s"));
  CHECK_FALSE(fx.read([](const Record& r) { return r.results.at("s"); }));
  // The connection comes back; S is still nowhere on the server.
  REQUIRE(fx.wait([](const Record& r) { return r.connected == 2; }));
  auto stored = fx.server_texts();
  CHECK(has(stored, GateFixture::text("a")));
  CHECK_FALSE(has(stored, GateFixture::text("s")));
  CHECK_FALSE(fx.read([](const Record& r) { return has(r.echoes, GateFixture::text("s")); }));
}

TEST_CASE("A held write its chat settled still goes in its turn: it was never on the wire",
          "[connection_gate]") {
  GateFixture fx;
  REQUIRE(fx.start());
  fx.hold_s_behind_a(/*then_b=*/true);
  // E.g. an echo of the same text from the user's other device matched S while it waited: the
  // text must still reach the server once.
  fx.settle("s");
  CHECK(fx.read([](const Record& r) { return r.results.count("s") + r.results.count("b"); }) == 0);
  fx.settle("a");
  REQUIRE(fx.answered("s"));
  REQUIRE(fx.answered("b"));
  CHECK(fx.read([](const Record& r) { return r.results; }) ==
        std::map<std::string, bool>{{"a", true}, {"b", true}, {"s", true}});
  REQUIRE(fx.echoed("b"));
  CHECK(fx.read([](const Record& r) { return r.echoes; }) ==
        std::vector<std::string>{GateFixture::text("a"), GateFixture::text("s"),
                                 GateFixture::text("b")});
  auto stored = fx.server_texts();
  CHECK(has(stored, GateFixture::text("s")));
  CHECK(has(stored, GateFixture::text("b")));
  CHECK(fx.kick() == Writes{{"a", true}, {"s", true}, {"b", true}});  // nobody awaits S
}

TEST_CASE("A solo write held behind a write nobody settles goes alone after the echo timeout",
          "[connection_gate]") {
  const auto patience = milliseconds(300);
  GateFixture fx(patience);
  REQUIRE(fx.start());
  auto issued = Clock::now();  // A is written after this, S at least `patience` after A
  fx.issue({fx.send_msg("a"), fx.send_msg("s", true)});
  REQUIRE(fx.answered("s"));
  auto waited = fx.read([](const Record& r) { return r.result_at.at("s"); }) - issued;
  CHECK(waited >= patience);
  CHECK(fx.read([](const Record& r) { return r.results; }) ==
        std::map<std::string, bool>{{"a", true}, {"s", true}});
  REQUIRE(fx.echoed("s"));
  CHECK(fx.kick() == Writes{{"a", true}, {"s", true}});
}
