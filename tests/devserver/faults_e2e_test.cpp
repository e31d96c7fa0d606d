// Each fault switch of DESIGN.md "Dev server", observed from a client.
#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "protocol/actions.hpp"

namespace whisp::devserver::testing {
namespace {

struct Pair {
  explicit Pair(DevServerOptions o = test_options()) : fx(std::move(o)) {}
  Fixture fx;
  TestUser ann = fx.user("ann"), bob = fx.user("bob");
  std::string chat = fx.chat(ann, {"bob"});
  std::unique_ptr<WsClient> a = fx.connect(ann), b = fx.connect(bob);

  Status say(const std::string& text) {
    return a->send_frame(send_frame(encode_action(action::SendMsg{chat, text, kTs}, ann.id)));
  }
  std::size_t history_size() {
    auto r = fx.get(bob, "/api/messages/getMessages/" + chat + "?size=100");
    REQUIRE(r.status == 200);
    return parse_object(r.body)["messages"].Size();
  }
};

std::string text_of(const stomp::Frame& f) {
  return parse_object(f.body)["message"].GetString();
}

}  // namespace

TEST_CASE("dropEvery closes the socket abruptly right after every N-th frame sent") {
  Pair p;
  FaultUpdate u;
  u.drop_every = 3;  // the server-wide count restarts here
  p.fx.server().set_faults(u);
  // The server fans out to members in user-id order. Frames 1 and 2 carry m1; frame 3 is m2 to
  // the first member, whose socket is dropped right after it.
  const bool ann_first = p.ann.id < p.bob.id;
  WsClient& first = ann_first ? *p.a : *p.b;
  WsClient& second = ann_first ? *p.b : *p.a;
  REQUIRE(p.say("m1").ok());
  REQUIRE(text_of(*p.a->next("MESSAGE")) == "m1");
  REQUIRE(text_of(*p.b->next("MESSAGE")) == "m1");
  REQUIRE(p.say("m2").ok());
  auto last = first.next("MESSAGE");
  REQUIRE(last.ok());
  CHECK(text_of(*last) == "m2");
  CHECK(first.wait_closed());
  CHECK(first.close_code() == 0);  // no close frame: abrupt
  auto other = second.next("MESSAGE");
  REQUIRE(other.ok());
  CHECK(text_of(*other) == "m2");
  CHECK_FALSE(second.closed());
}

TEST_CASE("storeThenDrop persists and fans out to others, but drops the sender before its echo") {
  Pair p;
  FaultUpdate u;
  u.store_then_drop = 1.0;
  p.fx.server().set_faults(u);
  REQUIRE(p.say("kept").ok());
  CHECK(text_of(*p.b->next("MESSAGE")) == "kept");
  CHECK(p.a->wait_closed());
  CHECK_FALSE(p.a->next("MESSAGE", 0ms).ok());  // the echo never came
  CHECK(p.history_size() == 1);
}

TEST_CASE("dropBeforeStore drops the sender without persisting the action") {
  Pair p;
  FaultUpdate u;
  u.drop_before_store = 1.0;
  p.fx.server().set_faults(u);
  REQUIRE(p.say("lost").ok());
  CHECK(p.a->wait_closed());
  CHECK(p.history_size() == 0);
  // bob's next event is his own message, not ann's lost one.
  u.drop_before_store = 0.0;
  p.fx.server().set_faults(u);
  REQUIRE(p.b->send_frame(send_frame(encode_action(action::SendMsg{p.chat, "bob", kTs}, p.bob.id)))
              .ok());
  CHECK(text_of(*p.b->next("MESSAGE")) == "bob");
}

TEST_CASE("duplicate sends event frames twice") {
  Pair p;
  FaultUpdate u;
  u.duplicate = 1.0;
  p.fx.server().set_faults(u);
  REQUIRE(p.say("twice").ok());
  auto first = p.b->next("MESSAGE");
  auto second = p.b->next("MESSAGE");
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->body == second->body);
  CHECK(p.history_size() == 1);
}

TEST_CASE("delayMs delays frames but keeps their order per connection") {
  Pair p;
  FaultUpdate u;
  u.delay_ms = 40;
  u.seed = 7;
  p.fx.server().set_faults(u);
  for (int i = 0; i < 10; ++i) REQUIRE(p.say("d" + std::to_string(i)).ok());
  for (int i = 0; i < 10; ++i) {
    auto f = p.b->next("MESSAGE");
    REQUIRE(f.ok());
    CHECK(text_of(*f) == "d" + std::to_string(i));
  }
}

TEST_CASE("the same fault seed makes the same random decisions") {
  auto decisions = [](std::uint64_t seed) {
    FaultConfig c;
    c.duplicate = 0.5;
    c.delay_ms = 100;
    c.seed = seed;
    Faults f(c);
    std::vector<unsigned> out;
    for (int i = 0; i < 64; ++i) out.push_back(f.duplicate() ? 1000 + f.delay_ms() : f.delay_ms());
    return out;
  };
  CHECK(decisions(42) == decisions(42));
  CHECK(decisions(42) != decisions(43));
}

TEST_CASE("rejectMode: silent drops an impossible action, error answers ERROR with receipt-id") {
  Pair p;
  const auto someone_elses = [&]() {
    REQUIRE(p.b->send_frame(send_frame(encode_action(action::SendMsg{p.chat, "bob's", kTs},
                                                     p.bob.id))).ok());
    auto f = p.a->next("MESSAGE");
    REQUIRE(f.ok());
    REQUIRE(p.b->next("MESSAGE").ok());
    return std::string(parse_object(f->body)["messageId"].GetString());
  }();
  const auto edit = encode_action(action::EditMsg{p.chat, someone_elses, "mine now", kTs}, p.ann.id);
  SECTION("silent") {
    REQUIRE(p.a->send_frame(send_frame(edit, "e-1")).ok());
    REQUIRE(p.say("after").ok());
    auto next = p.a->next_frame();  // the very next frame: no ERROR came first
    REQUIRE(next.ok());
    CHECK(next->command == "MESSAGE");
    CHECK(text_of(*next) == "after");
    CHECK_FALSE(p.a->closed());
  }
  SECTION("error") {
    FaultUpdate u;
    u.reject_mode = RejectMode::error;
    p.fx.server().set_faults(u);
    REQUIRE(p.a->send_frame(send_frame(edit, "e-1")).ok());
    auto err = p.a->next_frame();
    REQUIRE(err.ok());
    CHECK(err->command == "ERROR");
    CHECK(err->header("receipt-id") == std::optional<std::string_view>("e-1"));
    CHECK(std::string(*err->header("message")).find("someone else") != std::string::npos);
    CHECK(p.a->wait_closed());
    const auto unknown = encode_action(action::DeleteMsg{p.chat, "no-such-message"}, p.bob.id);
    REQUIRE(p.b->send_frame(send_frame(unknown)).ok());
    auto err2 = p.b->next_frame();
    REQUIRE(err2.ok());
    CHECK(err2->command == "ERROR");
    CHECK_FALSE(err2->header("receipt-id").has_value());
  }
}

TEST_CASE("kick closes every WebSocket of the user at once") {
  Pair p;
  auto second = p.fx.connect(p.ann);
  auto r = http(p.fx.port(), "POST", "/__admin/kick", R"({"username":"ann"})", p.fx.api_key());
  REQUIRE(r.status == 200);
  CHECK(parse_object(r.body)["kicked"].GetUint() == 2);
  CHECK(p.a->wait_closed());
  CHECK(second->wait_closed());
  CHECK_FALSE(p.b->closed());
}

}  // namespace whisp::devserver::testing
