#include "actors/write_gate.hpp"

#include <catch2/catch.hpp>

#include <vector>

using whisp::actors::WriteGate;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// Drives the gate as the connection actor does, on a clock of its own: an action goes at once
// when admitted, else is held; every release writes what may go. Records (id, alone) of each
// write, in order.
struct Socket {
  WriteGate<std::string> gate{milliseconds(1000)};
  Clock::time_point now = Clock::time_point() + std::chrono::hours(1);
  std::vector<std::pair<std::string, bool>> wire;

  void offer(const std::string& id, bool solo) {
    if (gate.admits(solo, now)) {
      wire.emplace_back(id, gate.written(id, now));
    } else {
      gate.hold(id, solo, id);
    }
  }
  void release() {
    while (auto next = gate.next(now)) wire.emplace_back(*next, gate.written(*next, now));
  }
  void settle(const std::string& id) {
    gate.settled(id);
    release();
  }
  void wait(milliseconds d) {
    now += d;
    release();
  }
};

using Wire = std::vector<std::pair<std::string, bool>>;

}  // namespace

TEST_CASE("a write is alone only when every earlier write of the connection was settled",
          "[write_gate]") {
  Socket s;
  s.offer("A", false);
  s.offer("B", false);  // behind A, still in flight
  s.settle("A");
  s.offer("C", false);  // B still in flight
  s.settle("B");
  s.settle("C");
  s.offer("D", false);
  CHECK(s.wire == Wire{{"A", true}, {"B", false}, {"C", false}, {"D", true}});
}

TEST_CASE("a solo action waits until everything written before it is settled, and what comes "
          "after it waits behind it",
          "[write_gate]") {
  Socket s;
  s.offer("A", false);
  s.offer("B", false);
  s.offer("S", true);
  s.offer("C", false);  // not solo, but behind S
  CHECK(s.wire == Wire{{"A", true}, {"B", false}});
  CHECK(s.gate.held() == 2);
  s.settle("B");
  CHECK(s.gate.held() == 2);  // A is still in flight
  s.settle("unknown");        // an id of an earlier connection changes nothing
  CHECK(s.gate.held() == 2);
  s.settle("A");
  CHECK(s.wire == Wire{{"A", true}, {"B", false}, {"S", true}, {"C", false}});
  CHECK(s.gate.held() == 0);
}

TEST_CASE("a solo action offered while another is in flight waits for it", "[write_gate]") {
  Socket s;
  s.offer("S1", true);  // nothing in flight: goes at once, alone
  s.offer("S2", true);
  CHECK(s.wire == Wire{{"S1", true}});
  s.settle("S1");
  CHECK(s.wire == Wire{{"S1", true}, {"S2", true}});
}

TEST_CASE("a write nobody settles holds a solo action for `patience` at most", "[write_gate]") {
  Socket s;
  s.offer("A", false);  // its chat will never settle it (dropped by the server, forgotten)
  s.wait(milliseconds(400));
  s.offer("S", true);
  CHECK(s.gate.wake_at() == s.now + milliseconds(600));
  s.wait(milliseconds(599));
  CHECK(s.wire == Wire{{"A", true}});
  s.wait(milliseconds(1));
  CHECK(s.wire == Wire{{"A", true}, {"S", true}});  // A no longer counts as in flight
  CHECK(s.gate.wake_at() == std::nullopt);
}

TEST_CASE("a held action its chat settled still goes in its turn: it was never on the wire",
          "[write_gate]") {
  Socket s;
  s.offer("A", false);
  s.offer("S", true);
  s.offer("B", false);
  s.settle("S");  // e.g. an echo of the same text from the user's other device matched it
  CHECK(s.wire == Wire{{"A", true}});
  s.settle("A");
  CHECK(s.wire == Wire{{"A", true}, {"S", true}, {"B", true}});  // nobody awaits S any more
}

TEST_CASE("a cut forgets what was in flight and hands back what was held, never written",
          "[write_gate]") {
  Socket s;
  s.offer("A", false);
  s.offer("S", true);
  s.offer("B", false);
  CHECK(s.gate.reset() == std::vector<std::string>{"S", "B"});
  s.offer("S", true);  // the next connection: alone at once
  CHECK(s.wire == Wire{{"A", true}, {"S", true}});
}
