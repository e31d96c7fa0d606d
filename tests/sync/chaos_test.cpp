// Issue 6, convergence under chaos: three `whisp rpc` processes (alice, bob, carol) do seeded
// random actions of every kind for WHISP_CHAOS_SECONDS (default 60) while every fault switch of
// the dev server is on at moderate rates and each engine goes offline and online at random.
// Then faults off, goOnline + waitIdle everywhere, and:
//   - every engine's snapshot equals the server's truth (invariant 4);
//   - zero duplicates: no message text and no reaction emoji exists twice on the server (each
//     action has a unique text / emoji; an edit keeps the message's text root, "root /eN");
//   - zero losses: every localId an rpc returned ends delivered exactly once, or failed (or gone)
//     for a reason that is a poison action: its chat was deleted or its sender removed from it,
//     or its target message was deleted (invariant 5).
// The seed is printed on failure; WHISP_SEED replays the same choices.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>
#include <set>

#include "chaos_driver.hpp"
#include "sync_fixture.hpp"

using namespace whisp;
using namespace whisp::synctest;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Each kind of failure this test has shown was found from its evidence and fixed, with a test:
// an own message failed "not confirmed" while the server held it (revived by its echo or a
// history page); a member list pointing at a message the engine never saw (shown as listed); a
// message hidden by a history page answered before the server stored it (the server reads its
// clock before its lock; seed 8793731038422273790); an own delete, unreact or read that failed
// after 3 sends yet stayed applied (overlays until the server carries them out; seed
// 3960131988925632039); an engine removed from a chat while offline draining that chat's queued
// actions one wave per 3 echo timeouts, "not idle" after the settle (they fail at once when the
// removal is learned; seeds 15488235516060950113, 302468987943813886). Since that last fix:
// 64 runs by hand and 2 in CI (session 6), then 120 by hand on later code and 2 in CI, all
// clean (session 7). Then 2 failures in 79 runs (seeds 4001129257842960187,
// 15496644564536214704), both of one kind: an innocent message charged for 3 cuts in a row,
// failed "not confirmed by the server after 3 sends". A run with the dev server instrumented
// showed where such charges come from: `dropBeforeStore` (2 % of reads) closes the socket on
// the action it is reading, which the cut judge rightly names, and 3 hits on one action come
// once in 125,000, about 0.7 % of runs of some 900 actions (measured: 0.75 %). Now a culprit
// pays one send for every two cuts, and only when written alone (cut_ledger.hpp): charges fell
// from 22.6 to 2.4 per run (14 and 38 runs side by side), and a loss needs 6 hits (session 8).
// Never a duplicate. A loss prints that action's log lines, its chat's connection history and
// cut verdicts from the rpc's debug log. WHISP_RPC_LOG=DIR keeps the rpc logs, each engine's
// store (its log: `whisp-replay --lines - DIR/alice.db`) and the server's database
// (DIR/server.db).
TEST_CASE("three whisp rpc engines converge on the server's truth after a minute of chaos",
          "[chaos]") {
  const auto seed = test_seed();
  int duration = 60;
  if (const char* s = std::getenv("WHISP_CHAOS_SECONDS")) duration = std::atoi(s);
  INFO("seed " << seed << " (WHISP_SEED to replay), " << duration << " s (WHISP_CHAOS_SECONDS)");

  // WHISP_RPC_LOG=DIR keeps the server's database there too.
  auto server = test::start_server([](devserver::DevServerOptions& o) {
    if (const char* keep = std::getenv("WHISP_RPC_LOG"); keep && *keep) {
      o.db_path = std::string(keep) + "/server.db";
    }
  });
  test::TempDir dir;
  ChaosDriver driver(*server, dir, seed);
  driver.start_clients({"alice", "bob", "carol"});

  devserver::FaultUpdate faults;
  faults.drop_every = 150;
  faults.store_then_drop = 0.02;
  faults.drop_before_store = 0.02;
  faults.duplicate = 0.1;
  faults.delay_ms = 20;
  faults.seed = seed;
  server->set_faults(faults);
  driver.run(seconds(duration));

  devserver::FaultUpdate off;
  off.drop_every = 0;
  off.store_then_drop = 0;
  off.drop_before_store = 0;
  off.duplicate = 0;
  off.delay_ms = 0;
  server->set_faults(off);
  auto settled = driver.settle(seconds(120));
  INFO("actions: " << driver.summary());
  INFO(settled);
  REQUIRE(settled.empty());

  auto diff = driver.converge(seconds(30));
  INFO(diff);
  CHECK(diff.empty());
  auto losses = driver.duplicates_and_losses();
  INFO(losses);
  CHECK(losses.empty());
}
