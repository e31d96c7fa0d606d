#include "actors/write_gate.hpp"

#include <catch2/catch.hpp>

#include <vector>

using whisp::actors::WriteGate;

namespace {

// Drives the gate as the connection actor does: an action goes at once when admitted, else is
// held; every release writes what may go. Returns (id, alone) of each write, in order.
struct Socket {
  WriteGate<std::string> gate;
  std::vector<std::pair<std::string, bool>> wire;

  void offer(const std::string& id, bool solo) {
    if (gate.admits(solo)) {
      wire.emplace_back(id, gate.written(id));
    } else {
      gate.hold(id, solo);
    }
  }
  void settle(const std::string& id) {
    gate.settled(id);
    while (auto next = gate.next()) wire.emplace_back(*next, gate.written(*next));
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
  s.offer("C", false);  // not solo, but behind S: the user's order holds
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

TEST_CASE("two solo actions in a row each wait for the other", "[write_gate]") {
  Socket s;
  s.offer("S1", true);  // nothing in flight: goes at once, alone
  s.offer("S2", true);
  CHECK(s.wire == Wire{{"S1", true}});
  s.settle("S1");
  CHECK(s.wire == Wire{{"S1", true}, {"S2", true}});
}

TEST_CASE("a cut forgets what was in flight and hands back what was held, never written",
          "[write_gate]") {
  Socket s;
  s.offer("A", false);
  s.offer("S", true);
  s.offer("B", false);
  auto held = s.gate.reset();
  CHECK(std::vector<std::string>(held.begin(), held.end()) == std::vector<std::string>{"S", "B"});
  CHECK(s.gate.unsettled() == 0);
  s.offer("S", true);  // the next connection: alone at once
  CHECK(s.wire == Wire{{"A", true}, {"S", true}});
}
