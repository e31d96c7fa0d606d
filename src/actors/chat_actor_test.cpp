// The chat actor's delivery logic (DESIGN.md invariants 5 and 9), driven deterministically by
// CAF's test coordinator: the chat actor and fakes of its writer, connection, sync actor and
// notifier (actors/test_actors.hpp) all run on the test thread, one message at a time, over a
// real in-memory store. Nothing here waits on another thread.
#include "actors/chat_actor.hpp"

#include <catch2/catch.hpp>

#include <caf/scheduler/test_coordinator.hpp>

#include <thread>

#include "actors/cut_judge.hpp"
#include "actors/test_actors.hpp"
#include "store/store_test_util.hpp"

namespace {

using namespace whisp;
using namespace whisp::actors;
namespace st = whisp::store::test;
using store::OutboxItem;

const std::string kChat = "c1";

caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  return cfg;
}

/// One chat actor among fakes, over an in-memory store the test reads between steps.
struct Fixture {
  // Declared first: destroyed after the actor system, whose shutdown may still run actors.
  std::unique_ptr<store::Store> store = st::memory_store();
  caf::actor_system_config cfg;
  caf::actor_system sys{testing_config(cfg)};
  caf::scheduler::test_coordinator& sched =
      dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  std::shared_ptr<test::World> world = std::make_shared<test::World>();
  caf::actor writer, connection, sync, notifier, judge, chat;
  std::uint64_t connection_no = 0;  // as the hub numbers connections

  // The judge charges an alone culprit at its first cut unless `cuts_per_charge` says otherwise
  // (the engine's is 2: only the test of that rule uses it).
  explicit Fixture(std::chrono::milliseconds echo_timeout = std::chrono::seconds(10),
                   int cuts_per_charge = 1) {
    REQUIRE(store->commit({st::new_chat(kChat, "General"), st::join(kChat, st::kSelf, "me")}).ok());
    world->store = store.get();
    writer = sys.spawn(test::fake_writer, world);
    connection = sys.spawn(test::fake_connection, world);
    sync = sys.spawn(test::fake_sync, world);
    notifier = sys.spawn(test::fake_notifier, world);
    judge = spawn_cut_judge(sys, cuts_per_charge);
    auto ctx = std::make_shared<ChatContext>();
    ctx->writer = writer;
    ctx->connection = connection;
    ctx->sync = sync;
    ctx->notifier = notifier;
    ctx->judge = judge;
    ctx->typing = std::make_shared<TypingBoard>();
    ctx->self_id = st::kSelf;
    ctx->echo_timeout = echo_timeout;
    ctx->max_sends = 3;
    chat = spawn_chat(sys, kChat, ctx);
    run();
  }

  ~Fixture() {
    for (const auto& a : {chat, writer, connection, sync, notifier, judge}) {
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    }
    sched.run();
  }

  /// Runs every actor until no message is left (delayed messages wait for the clock).
  void run() { sched.run(); }

  void intent(const std::string& local_id, store::intent::Send send, int sec = 100) {
    store::LocalIntent in;
    in.local_id = local_id;
    in.made_at = st::at(sec);
    in.what = std::move(send);
    caf::anon_send(chat, IntentRequest{std::move(in)});
  }
  void say(const std::string& local_id, const std::string& text) {
    intent(local_id, store::intent::Send{kChat, text});
  }
  void react(const std::string& local_id, const std::string& target_local_id) {
    store::LocalIntent in;
    in.local_id = local_id;
    in.made_at = st::at(101);
    in.what = store::intent::React{kChat, store::Target{std::nullopt, target_local_id}, "+1"};
    caf::anon_send(chat, IntentRequest{std::move(in)});
  }

  /// The connection came up and this chat's backfill is done.
  void reconnect() {
    up();
    caf::anon_send(chat, synced_atom::value);
    run();
  }
  /// The connection came up (its backfill not done yet).
  void up() { caf::anon_send(chat, ChatOnline{true, ++connection_no}); }
  /// The connection went down; as the hub does, the judge hears what it wrote.
  void cut(bool explained) {
    caf::anon_send(chat, ChatOnline{false, connection_no});
    caf::anon_send(judge, CutReport{std::move(world->connection_writes), explained, connection_no});
    world->connection_writes.clear();
    world->unsettled.clear();
    run();
  }
  /// Another chat's question to the judge on the current connection.
  void other_chat_asks(const std::string& chat_id, std::vector<std::string> unconfirmed) {
    caf::anon_send(judge, VerdictRequest{chat_id, connection_no, unconfirmed, unconfirmed});
  }
  /// The live echo of an own message, from the server.
  void echo(const std::string& message_id, const std::string& text, int sec) {
    auto entry = st::send(kChat, st::kSelf, message_id, text, sec);
    caf::anon_send(chat, ChatEvents{{std::get<store::LiveEvent>(entry)}});
    run();
  }

  /// Advances the test clock a step of `step` at a time, running the actors after each, until
  /// the chat actor asked the sync actor for history (the echo check found something overdue
  /// by the real clock too; see the last test cases), or 10 s of real time passed.
  void advance_until_history_checked(std::chrono::milliseconds step) {
    const std::size_t before = world->history_checks.size();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (world->history_checks.size() == before && std::chrono::steady_clock::now() < deadline) {
      sched.advance_time(step);
      run();
      std::this_thread::yield();
    }
  }

  /// Local ids of the WriteActions the connection got since the last call, in order.
  std::vector<std::string> take_writes() {
    std::vector<std::string> ids;
    for (const auto& w : world->writes) {
      CHECK(w.chat_id == kChat);
      ids.push_back(w.local_id);
    }
    world->writes.clear();
    return ids;
  }

  /// The outbox item of a local id; nullopt once delivered or failed.
  std::optional<OutboxItem> item(const std::string& local_id) {
    auto items = store->outbox(kChat);
    REQUIRE(items.ok());
    for (const auto& i : *items) {
      if (i.intent.local_id == local_id) return i;
    }
    return std::nullopt;
  }
  /// Sent (written, unconfirmed) with `sends` counted sends.
  void require_sent(const std::string& local_id, int sends) {
    INFO("outbox item " << local_id);
    auto i = item(local_id);
    REQUIRE(i);
    CHECK(i->state == OutboxItem::State::sent);
    CHECK(i->sends == sends);
  }
  void require_pending(const std::string& local_id) {
    INFO("outbox item " << local_id);
    auto i = item(local_id);
    REQUIRE(i);
    CHECK(i->state == OutboxItem::State::pending);
    CHECK(i->sends == 0);
  }
  /// Failed: gone from the outbox, shown failed with `reason`.
  void require_failed(const std::string& local_id, const std::string& reason) {
    INFO("outbox item " << local_id);
    CHECK(!item(local_id));
    auto snap = store->snapshot(kChat);
    REQUIRE(snap.ok());
    const store::ChatView* c = st::find_chat(*snap, kChat);
    REQUIRE(c != nullptr);
    const store::MessageView* found = nullptr;
    for (const auto& m : c->messages) {
      if (m.local_id == local_id) found = &m;
    }
    if (found == nullptr) {  // a reaction: not a message row; the outbox is all we can see
      return;
    }
    CHECK(found->status == store::MessageStatus::failed);
    CHECK(found->error == reason);
  }
  void require_delivered(const std::string& local_id, const std::string& message_id) {
    INFO("outbox item " << local_id);
    CHECK(!item(local_id));
    auto id = store->server_id_of(local_id);
    REQUIRE(id.ok());
    REQUIRE(id->has_value());
    CHECK(**id == message_id);
  }
};

using Ids = std::vector<std::string>;

}  // namespace

TEST_CASE("own actions made offline wait, and go out in the user's order once online and synced",
          "[chat_actor]") {
  Fixture f;
  f.say("L1", "first");
  f.say("L2", "second");
  f.run();
  CHECK(f.take_writes().empty());
  for (const auto* id : {"L1", "L2"}) f.require_pending(id);

  f.up();
  f.say("L3", "third");  // connected, but the chat's backfill is not done yet: it waits too
  f.run();
  CHECK(f.take_writes().empty());
  for (const auto* id : {"L1", "L2", "L3"}) f.require_pending(id);

  caf::anon_send(f.chat, synced_atom::value);
  f.run();
  REQUIRE(f.world->writes.size() == 3);
  const char* texts[] = {"first", "second", "third"};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& frame = f.world->writes[i].frame;
    CHECK(frame.find(texts[i]) != std::string::npos);
    CHECK(frame.find("L" + std::to_string(i + 1)) != std::string::npos);  // the receipt
  }
  CHECK(f.take_writes() == Ids{"L1", "L2", "L3"});
  for (const auto* id : {"L1", "L2", "L3"}) f.require_sent(id, 1);

  SECTION("an action made while online and synced goes out at once") {
    f.say("L4", "fourth");
    f.run();
    CHECK(f.take_writes() == Ids{"L4"});
    f.require_sent("L4", 1);
  }
  SECTION("a second synced on the same connection resends nothing") {
    caf::anon_send(f.chat, synced_atom::value);
    f.run();
    CHECK(f.take_writes().empty());
    for (const auto* id : {"L1", "L2", "L3"}) f.require_sent(id, 1);
  }
  CHECK(f.world->errors.empty());
}

TEST_CASE("an unexplained cut charges only the first unconfirmed write, which fails after three "
          "sends while the others are delivered",
          "[chat_actor]") {
  Fixture f;
  f.say("L1", "first");
  f.say("L2", "second");
  f.say("L3", "third");
  f.reconnect();
  REQUIRE(f.take_writes() == Ids{"L1", "L2", "L3"});

  f.cut(false);
  CHECK(f.take_writes().empty());
  f.reconnect();
  CHECK(f.take_writes() == Ids{"L1", "L2", "L3"});
  f.require_sent("L1", 2);  // counted resend
  f.require_sent("L2", 1);  // lost: rewritten, not counted
  f.require_sent("L3", 1);

  f.cut(false);
  f.reconnect();
  CHECK(f.take_writes() == Ids{"L1", "L2", "L3"});
  f.require_sent("L1", 3);
  f.require_sent("L2", 1);
  f.require_sent("L3", 1);

  f.cut(false);
  f.reconnect();
  CHECK(f.take_writes() == Ids{"L2", "L3"});
  f.require_failed("L1", "not confirmed by the server after 3 sends");
  f.require_sent("L2", 1);
  f.require_sent("L3", 1);

  f.echo("m2", "second", 200);
  f.echo("m3", "third", 201);
  f.require_delivered("L2", "m2");
  f.require_delivered("L3", "m3");
  CHECK(f.item("L1") == std::nullopt);
  CHECK(f.take_writes().empty());
  CHECK(f.world->errors.empty());
}

TEST_CASE("a culprit written behind unconfirmed actions is resent alone and uncharged; written "
          "alone, its next cut charges it",
          "[chat_actor]") {
  Fixture f;
  f.say("L1", "first");
  f.say("L2", "second");
  f.reconnect();
  REQUIRE(f.take_writes() == Ids{"L1", "L2"});  // L2 went while L1 was in flight
  f.echo("m1", "first", 200);                   // the cut may follow this very echo
  f.require_delivered("L1", "m1");
  CHECK(f.world->settled == Ids{"L1"});  // the connection hears that L1 is no longer awaited

  f.cut(false);
  f.reconnect();
  REQUIRE(f.world->writes.size() == 1);
  CHECK(f.world->writes[0].local_id == "L2");
  CHECK(f.world->writes[0].solo);  // held by the connection until nothing is in flight
  f.take_writes();
  f.require_sent("L2", 1);  // the culprit, but not charged

  f.cut(false);  // written alone this time: the cut is evidence
  f.reconnect();
  REQUIRE(f.world->writes.size() == 1);
  CHECK(f.world->writes[0].solo);
  f.take_writes();
  f.require_sent("L2", 2);

  f.echo("m2", "second", 201);
  f.require_delivered("L2", "m2");
  f.say("L3", "third");
  f.run();
  REQUIRE(f.world->writes.size() == 1);
  CHECK(!f.world->writes[0].solo);  // forgotten once delivered
  CHECK(f.world->errors.empty());
}

TEST_CASE("an action alone at its cuts pays a send every second cut, and fails after six",
          "[chat_actor]") {
  Fixture f(std::chrono::seconds(10), 2);
  f.say("L1", "first");
  f.reconnect();
  REQUIRE(f.take_writes() == Ids{"L1"});
  const int sends_after[] = {1, 2, 2, 3, 3};
  for (int cut : sends_after) {
    INFO("sends counted " << cut);
    f.cut(false);
    f.reconnect();
    CHECK(f.take_writes() == Ids{"L1"});
    f.require_sent("L1", cut);
  }
  f.cut(false);
  f.reconnect();
  CHECK(f.take_writes().empty());
  f.require_failed("L1", "not confirmed by the server after 3 sends");
  CHECK(f.world->errors.empty());
}

TEST_CASE("a write the connection holds back is not awaited: its echo timeout starts when the "
          "socket takes it",
          "[chat_actor]") {
  Fixture f(std::chrono::milliseconds(50));
  f.world->hold = {"L1"};
  f.say("L1", "first");
  f.reconnect();
  REQUIRE(f.take_writes() == Ids{"L1"});
  for (int step = 0; step < 10; ++step) {  // 10 echo timeouts while it is held
    f.sched.advance_time(std::chrono::milliseconds(60));
    f.run();
  }
  CHECK(f.world->history_checks.empty());  // not overdue: never on the wire
  f.require_sent("L1", 1);

  caf::anon_send(f.connection, test::release_writes_atom::value);
  f.run();
  f.advance_until_history_checked(std::chrono::milliseconds(60));
  f.run();
  CHECK(f.world->history_checks == std::vector<std::string>{kChat});  // overdue once written
  CHECK(f.take_writes() == Ids{"L1"});
  f.require_sent("L1", 2);
  CHECK(f.world->errors.empty());
}

TEST_CASE("an action given up as overdue is settled with the connection before it is resent",
          "[chat_actor]") {
  Fixture f(std::chrono::milliseconds(50));
  f.say("L1", "first");
  f.reconnect();
  REQUIRE(f.take_writes() == Ids{"L1"});
  f.advance_until_history_checked(std::chrono::milliseconds(60));
  f.run();
  CHECK(f.world->settled == Ids{"L1"});
  CHECK(f.take_writes() == Ids{"L1"});
  f.require_sent("L1", 2);
  CHECK(f.world->errors.empty());
}

TEST_CASE("after a cut nothing is resent before the judge has heard from every chat that wrote "
          "earlier, and only the first unconfirmed write pays",
          "[chat_actor]") {
  Fixture f;
  f.say("L1", "first");
  f.say("L2", "second");
  f.reconnect();
  REQUIRE(f.take_writes() == Ids{"L1", "L2"});
  // Another chat wrote X1 on the same connection before ours (settled by the time L1 went:
  // L1 went alone).
  f.world->connection_writes.insert(f.world->connection_writes.begin(), Written{"X1", "c2"});
  f.cut(false);
  f.reconnect();
  CHECK(f.take_writes().empty());  // X1 may be the culprit, or L1: the judge waits for c2
  f.require_sent("L1", 1);
  f.require_sent("L2", 1);

  SECTION("the other chat's write is still unconfirmed: it pays, ours are resent uncharged") {
    f.other_chat_asks("c2", {"X1"});
    f.run();
    CHECK(f.take_writes() == Ids{"L1", "L2"});
    f.require_sent("L1", 1);
    f.require_sent("L2", 1);
  }
  SECTION("the other chat's write was found in history: our first one pays") {
    f.other_chat_asks("c2", {});
    f.run();
    CHECK(f.take_writes() == Ids{"L1", "L2"});
    f.require_sent("L1", 2);
    f.require_sent("L2", 1);
  }
  SECTION("the connection goes down again first: the next reconnect asks again") {
    f.cut(false);
    f.reconnect();
    CHECK(f.take_writes().empty());
    f.other_chat_asks("c2", {"X1"});
    f.run();
    CHECK(f.take_writes() == Ids{"L1", "L2"});
    f.require_sent("L1", 1);
    f.require_sent("L2", 1);
  }
  CHECK(f.world->errors.empty());
}

TEST_CASE("a chat whose writes were all confirmed still answers the cut judge, so a chat that "
          "wrote after it is not held",
          "[chat_actor]") {
  Fixture f;
  f.say("L1", "first");
  f.reconnect();
  REQUIRE(f.take_writes() == Ids{"L1"});
  f.echo("m1", "first", 200);
  f.require_delivered("L1", "m1");
  f.world->connection_writes.push_back(Written{"X1", "c2"});  // another chat wrote after L1
  f.cut(false);

  // The other chat asks first: L1 might be the culprit, so it waits for our chat's word.
  auto verdict = std::make_shared<std::optional<Verdict>>();
  // Spawned with an argument: CAF 0.17 dereferences a null argument tuple otherwise (UBSan).
  f.sys.spawn(
      [judge = f.judge, verdict](caf::event_based_actor* self, int) {
        self->request(judge, caf::infinite, VerdictRequest{"c2", 2, {"X1"}, {"X1"}})
            .then([verdict](Verdict& v) { *verdict = v; });
      },
      0);
  f.run();
  CHECK(!*verdict);
  f.reconnect();
  REQUIRE(*verdict);
  CHECK((*verdict)->culprit == std::optional<std::string>("X1"));
  CHECK((*verdict)->charged);
  CHECK(f.world->errors.empty());
}

TEST_CASE("a question asked on a connection that is gone neither counts nor takes the charge",
          "[chat_actor]") {
  Fixture f;
  f.say("L1", "first");
  f.reconnect();
  REQUIRE(f.take_writes() == Ids{"L1"});
  f.cut(false);
  // A reconcile of connection 1 whose question reaches the judge after the cut's report.
  caf::anon_send(f.judge, VerdictRequest{kChat, 1, {"L1"}, {"L1"}});
  f.run();
  f.reconnect();
  CHECK(f.take_writes() == Ids{"L1"});
  f.require_sent("L1", 2);  // the charge stayed for the question of connection 2
  CHECK(f.world->errors.empty());
}

TEST_CASE("a verdict abandoned by a cut the chat has not heard of yet resends nothing",
          "[chat_actor]") {
  Fixture f;
  f.say("L1", "first");
  f.reconnect();
  REQUIRE(f.take_writes() == Ids{"L1"});
  f.world->connection_writes.insert(f.world->connection_writes.begin(), Written{"X1", "c2"});
  f.cut(false);
  f.reconnect();  // connection 2: the chat waits for c2's word on X1
  CHECK(f.take_writes().empty());

  // Connection 2 goes down; the judge hears of it before the chat does.
  caf::anon_send(f.judge, CutReport{{}, false, f.connection_no});
  f.run();
  CHECK(f.take_writes().empty());  // abandoned: not a verdict of "nobody pays"
  f.require_sent("L1", 1);
  caf::anon_send(f.chat, ChatOnline{false, f.connection_no});
  f.run();

  f.reconnect();  // connection 3: X1 is still the first suspect
  CHECK(f.take_writes().empty());
  f.other_chat_asks("c2", {"X1"});
  f.run();
  CHECK(f.take_writes() == Ids{"L1"});
  f.require_sent("L1", 1);  // X1 paid
  CHECK(f.world->errors.empty());
}

TEST_CASE("a cut the server explained charges nobody", "[chat_actor]") {
  Fixture f;
  f.say("L1", "first");
  f.say("L2", "second");
  f.reconnect();
  REQUIRE(f.take_writes() == Ids{"L1", "L2"});

  for (int round = 0; round < 4; ++round) {  // more cuts than max_sends: still nobody fails
    INFO("round " << round);
    f.cut(true);
    f.reconnect();
    CHECK(f.take_writes() == Ids{"L1", "L2"});
    f.require_sent("L1", 1);
    f.require_sent("L2", 1);
  }

  SECTION("an unexplained cut afterwards charges the oldest again") {
    f.cut(false);
    f.reconnect();
    CHECK(f.take_writes() == Ids{"L1", "L2"});
    f.require_sent("L1", 2);
    f.require_sent("L2", 1);
  }
  SECTION("a cut on a connection where the chat wrote nothing charges nobody") {
    f.echo("m1", "first", 200);
    f.echo("m2", "second", 201);
    f.say("L3", "third");  // written on this connection, the last write
    f.run();
    CHECK(f.take_writes() == Ids{"L3"});
    f.cut(true);
    f.up();  // up, but down again before any write
    f.run();
    f.cut(false);
    f.reconnect();
    CHECK(f.take_writes() == Ids{"L3"});
    f.require_sent("L3", 1);
  }
  CHECK(f.world->errors.empty());
}

TEST_CASE("a write the socket refused is never charged and is rewritten after reconnecting",
          "[chat_actor]") {
  Fixture f;
  SECTION("every write refused") {
    f.world->refuse_all = true;
    f.say("L1", "first");
    f.say("L2", "second");
    f.reconnect();
    REQUIRE(f.take_writes() == Ids{"L1", "L2"});
    f.require_sent("L1", 1);  // marked sent before the write was tried
    f.require_sent("L2", 1);
    f.world->refuse_all = false;
    f.cut(false);
    f.reconnect();
    CHECK(f.take_writes() == Ids{"L1", "L2"});
    f.require_sent("L1", 1);  // `lost`, not a counted resend
    f.require_sent("L2", 1);
  }
  SECTION("the oldest write refused: the oldest one written pays for the cut") {
    f.world->refuse = {"L1"};
    f.say("L1", "first");
    f.say("L2", "second");
    f.say("L3", "third");
    f.reconnect();
    REQUIRE(f.take_writes() == Ids{"L1", "L2", "L3"});
    f.world->refuse.clear();
    f.cut(false);
    f.reconnect();
    CHECK(f.take_writes() == Ids{"L1", "L2", "L3"});
    f.require_sent("L1", 1);
    f.require_sent("L2", 2);
    f.require_sent("L3", 1);
  }
  CHECK(f.world->errors.empty());
}

TEST_CASE("an action the server rejected fails at once with its reason and the next one goes out",
          "[chat_actor]") {
  Fixture f;
  SECTION("the actions waiting behind it") {
    f.say("L1", "first");
    f.react("L2", "L1");  // waits for L1's server id
    f.say("L3", "third");  // waits behind L2: the user's order
    f.reconnect();
    REQUIRE(f.take_writes() == Ids{"L1"});
    f.require_pending("L2");
    f.require_pending("L3");

    caf::anon_send(f.chat, ActionRejected{kChat, "L1", "Forbidden"});
    f.run();
    f.require_failed("L1", "rejected by the server: Forbidden");
    f.require_failed("L2", "its target L1 was never delivered");
    CHECK(f.take_writes() == Ids{"L3"});
    f.require_sent("L3", 1);
  }
  SECTION("an action written beside it") {
    f.say("L1", "first");
    f.say("L2", "second");
    f.reconnect();
    REQUIRE(f.take_writes() == Ids{"L1", "L2"});
    caf::anon_send(f.chat, ActionRejected{kChat, "L2", "too fast"});
    f.run();
    f.require_failed("L2", "rejected by the server: too fast");
    f.require_sent("L1", 1);
    CHECK(f.take_writes().empty());
    f.echo("m1", "first", 200);
    f.require_delivered("L1", "m1");
  }
  CHECK(f.world->errors.empty());
}

TEST_CASE("an echo overdue on a live connection is looked up in history before a counted resend",
          "[chat_actor]") {
  // The chat actor stamps its writes with the actor clock, which the test coordinator drives:
  // the test advances it until the delayed check finds the echo overdue.
  const auto timeout = std::chrono::milliseconds(30);
  Fixture f(timeout);
  f.say("L1", "first");
  f.say("L2", "second");
  f.reconnect();
  REQUIRE(f.take_writes() == Ids{"L1", "L2"});
  f.echo("m2", "second", 200);  // L2 confirmed; L1's echo never comes
  f.require_delivered("L2", "m2");
  CHECK(f.sched.has_pending_timeout());  // the echo check waits for the clock
  CHECK(f.world->history_checks.empty());

  SECTION("not in history: resent, counted") {
    f.advance_until_history_checked(timeout);
    CHECK(f.world->history_checks == Ids{kChat});
    CHECK(f.take_writes() == Ids{"L1"});
    f.require_sent("L1", 2);
  }
  SECTION("found in history: delivered, not resent") {
    f.world->on_check = [](store::Store& s, const std::string& chat_id) {
      store::HistoryPage page;
      page.chat_id = chat_id;
      page.size = 50;
      rest::Message m;
      m.chat_id = chat_id;
      m.message_id = "m1";
      m.sender_id = st::kSelf;
      m.content = "first";
      m.time_stamp = st::at(150);
      page.page.messages.push_back(m);
      REQUIRE(s.commit({page}).ok());
    };
    f.advance_until_history_checked(timeout);
    CHECK(f.world->history_checks == Ids{kChat});
    CHECK(f.take_writes().empty());
    f.require_delivered("L1", "m1");
  }
  CHECK(f.world->errors.empty());
}

TEST_CASE("after a restart the oldest action left sent pays one send and the others none",
          "[chat_actor]") {
  // What a previous run left: three actions written, none confirmed.
  Fixture f;
  std::vector<store::LogEntry> left;
  for (int i = 1; i <= 3; ++i) {
    store::LocalIntent in;
    in.local_id = "L" + std::to_string(i);
    in.made_at = st::at(100 + i);
    in.what = store::intent::Send{kChat, "text " + std::to_string(i)};
    left.emplace_back(std::move(in));
  }
  for (int i = 1; i <= 3; ++i) {
    left.emplace_back(store::OutboxTransition{"L" + std::to_string(i),
                                              store::OutboxTransition::State::sent, ""});
  }
  REQUIRE(f.store->commit(left).ok());
  f.reconnect();
  CHECK(f.take_writes() == Ids{"L1", "L2", "L3"});
  f.require_sent("L1", 2);
  f.require_sent("L2", 1);
  f.require_sent("L3", 1);
  CHECK(f.world->errors.empty());
}

TEST_CASE("a history check answered after a reconnect does not resend an action written on the "
          "new connection",
          "[chat_actor]") {
  const auto timeout = std::chrono::milliseconds(30);
  Fixture f(timeout);
  f.world->hold_checks = true;
  f.say("L1", "first");
  f.reconnect();
  REQUIRE(f.take_writes() == Ids{"L1"});
  f.advance_until_history_checked(timeout);
  REQUIRE(f.world->history_checks == Ids{kChat});
  REQUIRE(f.world->held.size() == 1);  // the check is still out

  f.cut(false);
  f.reconnect();
  CHECK(f.take_writes() == Ids{"L1"});  // the cut's counted resend, on the new connection
  f.require_sent("L1", 2);

  caf::anon_send(f.sync, test::release_atom::value);  // the old connection's check comes back
  f.run();
  // L1 is in flight on the new connection and not yet overdue there: writing it again would put
  // a second SEND of the same action on one connection (a duplicate message at the server).
  CHECK(f.take_writes().empty());
  f.require_sent("L1", 2);
}
