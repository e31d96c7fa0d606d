#include "net/io_thread.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <thread>

using whisp::net::IoThread;

TEST_CASE("work posted to an IoThread runs on its thread, in order") {
  IoThread io;
  CHECK_FALSE(io.in_io_thread());
  std::promise<std::vector<int>> done;
  auto order = std::make_shared<std::vector<int>>();
  for (int i = 0; i < 5; ++i) {
    io.post([&io, order, i] {
      CHECK(io.in_io_thread());
      order->push_back(i);
    });
  }
  io.post([order, &done] { done.set_value(*order); });
  auto result = done.get_future();
  REQUIRE(result.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  CHECK(result.get() == std::vector<int>{0, 1, 2, 3, 4});
}

TEST_CASE("an IoThread can be stopped from its own thread and from others, more than once") {
  IoThread io;
  std::promise<void> ran;
  io.post([&] {
    io.stop();
    ran.set_value();
  });
  REQUIRE(ran.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  std::thread other([&] { io.stop(); });
  other.join();
  io.stop();
  // The destructor joins; reaching the end of the test proves it does not hang.
}
