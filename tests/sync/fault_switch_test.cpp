// Issue 6, delivery around each dev-server fault switch: messages and reactions made while the
// fault is on end up exactly once on the server and exactly once, delivered, in both engines, and
// both engines converge on the server's truth (invariants 4 and 5).
#include <catch2/catch.hpp>

#include "sync_fixture.hpp"

using namespace whisp;
using namespace whisp::synctest;
using std::chrono::seconds;

namespace {

struct Switch {
  const char* name;
  devserver::FaultUpdate update;
  bool drops;  // the fault closes sockets: a disconnect must have been seen
};

std::vector<Switch> switches() {
  std::vector<Switch> s(5);
  s[0].name = "dropEvery";
  s[0].update.drop_every = 10;
  s[0].drops = true;
  s[1].name = "storeThenDrop";
  s[1].update.store_then_drop = 0.25;
  s[1].drops = true;
  s[2].name = "dropBeforeStore";
  s[2].update.drop_before_store = 0.25;
  s[2].drops = true;
  // The test lifts a socket-closing fault once it saw a close, but the engines reconnect and
  // resend meanwhile: on a loaded machine one action was dropped three times before the lift
  // (failed after 3 sends, as it must be). Two closes at most keep every action within its 3.
  for (int i = 0; i < 3; ++i) s[static_cast<std::size_t>(i)].update.max_closes = 2;
  s[3].name = "duplicate";
  s[3].update.duplicate = 0.6;
  s[3].drops = false;
  s[4].name = "delayMs";
  s[4].update.delay_ms = 150;
  s[4].drops = false;
  return s;
}

devserver::FaultUpdate all_off() {
  devserver::FaultUpdate u;
  u.drop_every = 0;
  u.store_then_drop = 0;
  u.drop_before_store = 0;
  u.duplicate = 0;
  u.delay_ms = 0;
  return u;
}

int disconnects(test::TestEngine& e) {
  int n = 0;
  for (const auto& ev : e.connection_events()) n += ev.state == ConnectionState::disconnected;
  return n;
}

// True when none of the engine's own messages is still `pending` (each went on the wire once).
bool all_sent_once(test::TestEngine& e, const std::string& chat) {
  auto doc = e.snapshot(chat);
  const auto* c = test::find_chat(doc, chat);
  if (!c) return false;
  for (const auto& m : (*c)["messages"].GetArray()) {
    if (std::string(m["status"].GetString()) == "pending") return false;
  }
  return true;
}

}  // namespace

TEST_CASE("messages and reactions made around each fault switch arrive exactly once everywhere") {
  const auto seed = test_seed();
  for (const auto& sw : switches()) {
    DYNAMIC_SECTION("fault " << sw.name) {
      INFO("seed " << seed << " (WHISP_SEED), fault " << sw.name);
      auto server = test::start_server();
      test::TempDir dir;
      auto alice = test::TestEngine::start(*server, "alice", dir.file("alice.db"));
      auto bob = test::TestEngine::start(*server, "bob", dir.file("bob.db"));
      REQUIRE(alice->engine().wait_idle(seconds(15)));
      REQUIRE(bob->engine().wait_idle(seconds(15)));
      const std::string chat = server->seeded_chat_id();
      auto alice_rest = rest_user(*server, "alice");
      auto bob_rest = rest_user(*server, "bob");
      const auto doc = alice->snapshot(chat);
      const auto seeded = messages_with_text(doc, chat, "Hey alice, glad to be here");
      REQUIRE(seeded.size() == 1);
      const std::string bob_seed_id = (*seeded[0])["messageId"].GetString();

      auto update = sw.update;
      update.seed = seed;
      server->set_faults(update);
      std::vector<std::string> texts, emojis;
      const std::string tag = std::string(sw.name) + "-";
      for (int i = 0; i < 6; ++i) {
        for (auto* who : {alice.get(), bob.get()}) {
          const std::string name = who == alice.get() ? "alice" : "bob";
          auto text = tag + name + "-message-" + std::to_string(i);
          auto local = who->engine().send_message(chat, text);
          REQUIRE(local.ok());
          texts.push_back(text);
          if (i % 2 == 0) {  // a reaction to the own message still waiting for its server id
            auto emoji = tag + name + "-on-own-" + std::to_string(i);
            REQUIRE(who->engine().react(chat, ItemRef::local_id(*local), emoji).ok());
            emojis.push_back(emoji);
          }
        }
        auto emoji = tag + "alice-on-bob-" + std::to_string(i);
        REQUIRE(alice->engine().react(chat, ItemRef::server(bob_seed_id), emoji).ok());
        emojis.push_back(emoji);
      }
      // The fault stays on until it surely hit: for the faults that close sockets, until the
      // first close (two at most, max_closes); for the others, until every message went on the
      // wire once. Then it is lifted and the engines recover within their 3 sends (a close
      // charges a send only to the first unconfirmed action written on that connection).
      if (sw.drops) {
        REQUIRE(alice->wait([&] {
          return disconnects(*alice) + disconnects(*bob) > 0 ||
                 (alice->status_of_text(chat, texts.back()) == "delivered" &&
                  all_sent_once(*alice, chat) && all_sent_once(*bob, chat));
        }, seconds(30)));
        // storeThenDrop and dropBeforeStore hit each action with p = 0.25: all 24 actions pass
        // unharmed in about one run of a thousand. Until a close was seen, one more message at a
        // time (each checked like the others) gives the fault another chance.
        for (int extra = 0; extra < 40 && disconnects(*alice) + disconnects(*bob) == 0; ++extra) {
          auto text = tag + "alice-extra-" + std::to_string(extra);
          REQUIRE(alice->engine().send_message(chat, text).ok());
          texts.push_back(text);
          REQUIRE(alice->wait([&] {
            return disconnects(*alice) + disconnects(*bob) > 0 ||
                   (alice->status_of_text(chat, text) == "delivered" && all_sent_once(*alice, chat));
          }, seconds(30)));
        }
      } else {
        REQUIRE(alice->wait([&] { return all_sent_once(*alice, chat); }, seconds(30)));
        REQUIRE(bob->wait([&] { return all_sent_once(*bob, chat); }, seconds(30)));
      }
      server->set_faults(all_off());
      if (sw.drops) {
        // The fault did hit. The wait above may have ended on the delivered branch while the
        // callback reporting the drop still queued behind the change callbacks: wait for it.
        CHECK(alice->wait([&] { return disconnects(*alice) + disconnects(*bob) > 0; },
                          seconds(15)));
      }
      REQUIRE(alice->engine().wait_idle(seconds(60)));
      REQUIRE(bob->engine().wait_idle(seconds(60)));

      // Idle means the own outbox is empty; the other user's last events may still be on their
      // way (delayMs): wait until each engine shows every message and reaction, then count.
      for (auto* who : {alice.get(), bob.get()}) {
        who->wait([&] {
          auto snap = who->snapshot();
          for (const auto& text : texts) {
            if (messages_with_text(snap, chat, text).empty()) return false;
          }
          for (const auto& emoji : emojis) {
            if (reactions_with_emoji(snap, emoji) == 0) return false;
          }
          return true;
        }, seconds(15));
      }
      auto counts = server_counts(alice_rest);
      for (auto* who : {alice.get(), bob.get()}) {
        auto snap = who->snapshot();
        for (const auto& text : texts) {
          INFO("message " << text);
          CHECK(counts.texts[text] == 1);
          auto found = messages_with_text(snap, chat, text);
          REQUIRE(found.size() == 1);
          CHECK(std::string((*found[0])["status"].GetString()) == "delivered");
          CHECK((*found[0])["messageId"].IsString());
        }
        for (const auto& emoji : emojis) {
          INFO("reaction " << emoji);
          CHECK(counts.emojis[emoji] == 1);
          int confirmed = 0;
          CHECK(reactions_with_emoji(snap, emoji, &confirmed) == 1);
          CHECK(confirmed == 1);
        }
      }
      auto diff = converge({probe_of("alice", *alice, alice_rest), probe_of("bob", *bob, bob_rest)},
                           seconds(15));
      INFO(diff);
      CHECK(diff.empty());
    }
  }
}
