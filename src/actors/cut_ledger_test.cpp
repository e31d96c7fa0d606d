#include "actors/cut_ledger.hpp"

#include <catch2/catch.hpp>

using whisp::actors::CutLedger;
using whisp::actors::Written;
using Ids = std::vector<std::string>;

namespace {

// The local id of the chat's culprit, handed out once.
std::optional<std::string> culprit(CutLedger& ledger, const std::string& chat_id) {
  auto written = ledger.take_culprit(chat_id);
  if (!written) return std::nullopt;
  return written->local_id;
}

}  // namespace

TEST_CASE("only the first write of a connection still unconfirmed pays for its cut, whatever its "
          "chat",
          "[cut_ledger]") {
  CutLedger ledger;
  ledger.on_cut({{"A1", "a"}, {"B1", "b"}, {"A2", "a"}, {"C1", "c"}}, false);
  CHECK(ledger.suspects() == 4);

  SECTION("the first write unconfirmed: it pays, the others of its chat and of later chats not") {
    CHECK(!ledger.report("c", Ids{"C1"}));  // C1 pays if everything before it was confirmed
    CHECK(ledger.waiting("c"));
    CHECK(ledger.report("a", Ids{"A1", "A2"}));
    CHECK(!ledger.waiting("c"));
    CHECK(culprit(ledger, "a") == std::optional<std::string>("A1"));
    CHECK(culprit(ledger, "a") == std::nullopt);  // handed out once
    CHECK(ledger.report("b", Ids{"B1"}));
    CHECK(culprit(ledger, "b") == std::nullopt);
    CHECK(culprit(ledger, "c") == std::nullopt);
  }
  SECTION("first writes found in history are skipped: the first one left pays") {
    CHECK(!ledger.report("b", Ids{"B1"}));  // A1 may still be the culprit: b waits
    CHECK(ledger.waiting("b"));
    CHECK(ledger.report("a", Ids{"A2"}));  // A1 confirmed; A2 comes after B1
    CHECK(!ledger.waiting("b"));
    CHECK(culprit(ledger, "b") == std::optional<std::string>("B1"));
    CHECK(culprit(ledger, "a") == std::nullopt);
  }
  SECTION("every write before the last confirmed: the last one pays") {
    CHECK(ledger.report("a", {}));
    CHECK(!ledger.report("c", Ids{"C1"}));
    CHECK(ledger.report("b", {}));
    CHECK(!ledger.waiting("c"));
    CHECK(culprit(ledger, "c") == std::optional<std::string>("C1"));
  }
  SECTION("every write confirmed: nobody pays") {
    for (const char* chat : {"a", "b", "c"}) CHECK(ledger.report(chat, {}));
    CHECK(ledger.suspects() == 0);
    for (const char* chat : {"a", "b", "c"}) CHECK(culprit(ledger, chat) == std::nullopt);
  }
}

TEST_CASE("a chat without suspects of its own never waits for the judgement", "[cut_ledger]") {
  CutLedger ledger;
  ledger.on_cut({{"A1", "a"}}, false);
  CHECK(ledger.report("z", Ids{"Z1"}));  // Z1 was written on an earlier connection
  CHECK(culprit(ledger, "z") == std::nullopt);
  CHECK(ledger.report("a", Ids{"A1"}));
  CHECK(culprit(ledger, "a") == std::optional<std::string>("A1"));
}

TEST_CASE("an explained cut charges nobody", "[cut_ledger]") {
  CutLedger ledger;
  ledger.on_cut({{"A1", "a"}, {"B1", "b"}}, true);
  CHECK(ledger.suspects() == 0);
  CHECK(ledger.report("a", Ids{"A1"}));
  CHECK(ledger.report("b", Ids{"B1"}));
  CHECK(culprit(ledger, "a") == std::nullopt);
  CHECK(culprit(ledger, "b") == std::nullopt);
}

TEST_CASE("a cut before the judgement keeps the earlier suspects first", "[cut_ledger]") {
  CutLedger ledger;
  ledger.on_cut({{"A1", "a"}, {"B1", "b"}}, false);
  CHECK(!ledger.report("b", Ids{"B1"}));  // a never reported: the connection went down again
  ledger.on_cut({{"C1", "c"}, {"A1", "a"}}, false);  // A1 written again: keeps its first place
  CHECK(ledger.suspects() == 3);
  CHECK(!ledger.report("c", Ids{"C1"}));
  CHECK(!ledger.report("b", Ids{"B1"}));
  CHECK(ledger.report("a", Ids{"A1"}));
  CHECK(culprit(ledger, "a") == std::optional<std::string>("A1"));
  CHECK(!ledger.waiting("b"));
  CHECK(!ledger.waiting("c"));

  SECTION("an explained cut before the judgement keeps the suspects too") {
    CutLedger other;
    other.on_cut({{"A1", "a"}}, false);
    other.on_cut({{"B1", "b"}}, true);
    CHECK(other.suspects() == 1);
    CHECK(other.report("a", Ids{"A1"}));
    CHECK(culprit(other, "a") == std::optional<std::string>("A1"));
  }
  SECTION("once judged, the next cut starts afresh") {
    ledger.on_cut({{"B1", "b"}}, false);
    CHECK(ledger.suspects() == 1);
    CHECK(ledger.report("b", Ids{"B1"}));
    CHECK(culprit(ledger, "b") == std::optional<std::string>("B1"));
  }
}

TEST_CASE("the culprit says whether it was written alone; written alone on any cut counts",
          "[cut_ledger]") {
  CutLedger ledger;
  ledger.on_cut({{"A1", "a", true}, {"A2", "a", false}}, false);
  SECTION("written behind an unconfirmed action: named, not charged") {
    CHECK(ledger.report("a", Ids{"A2"}));  // A1 confirmed
    auto c = ledger.take_culprit("a");
    REQUIRE(c);
    CHECK(c->local_id == "A2");
    CHECK(!c->pays);
    CHECK(c->why == "written behind unconfirmed actions");
  }
  SECTION("written alone on a later cut before the judgement: a strike") {
    ledger.on_cut({{"A2", "a", true}}, false);
    CHECK(ledger.report("a", Ids{"A2"}));
    auto c = ledger.take_culprit("a");
    REQUIRE(c);
    CHECK(c->local_id == "A2");
    CHECK(!c->pays);
    CHECK(c->why == "cut 1 of the 2 that pay a send");
  }
}

TEST_CASE("a culprit written alone pays one send for every two of its cuts", "[cut_ledger]") {
  CutLedger ledger;
  std::vector<bool> paid;
  for (int cut = 0; cut < 6; ++cut) {
    ledger.on_cut({{"A1", "a", true}}, false);
    CHECK(ledger.report("a", Ids{"A1"}));
    auto c = ledger.take_culprit("a");
    REQUIRE(c);
    paid.push_back(c->pays);
  }
  CHECK(paid == std::vector<bool>{false, true, false, true, false, true});
}

TEST_CASE("a strike is forgotten once the action left its chat's outbox, not before",
          "[cut_ledger]") {
  CutLedger ledger;
  ledger.on_cut({{"A1", "a", true}}, false);
  CHECK(ledger.report("a", Ids{"A1"}));
  CHECK(!ledger.take_culprit("a")->pays);  // one strike
  ledger.on_cut({{"B1", "b", true}}, false);
  CHECK(ledger.report("b", Ids{"B1"}));
  CHECK(!ledger.take_culprit("b")->pays);
  CHECK(ledger.strikes() == 2);
  ledger.forget_strikes("a", Ids{"A1"});  // still queued (held, or requeued unwritten)
  CHECK(ledger.report("a", {}));
  CHECK(ledger.strikes() == 2);
  ledger.forget_strikes("a", {});  // confirmed or failed since: its strike goes
  CHECK(ledger.strikes() == 1);
  ledger.on_cut({{"B1", "b", true}}, false);  // B1's strike held: its second cut pays
  CHECK(ledger.report("b", Ids{"B1"}));
  CHECK(ledger.take_culprit("b")->pays);
  CHECK(ledger.strikes() == 0);
}
