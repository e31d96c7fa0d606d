#include "net/io_thread.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>

namespace whisp::net {

IoThread::IoThread()
    : context_(1), work_(boost::asio::make_work_guard(context_)), thread_([this] {
        thread_id_.store(std::this_thread::get_id());
        // Handlers of this layer do not throw; an exception escaping one is a bug that must not
        // pass silently (and must not unwind into std::thread, which would terminate anyway).
        try {
          context_.run();
        } catch (const std::exception& e) {
          std::fprintf(stderr, "whisp IoThread: handler threw: %s\n", e.what());
          std::abort();
        }
      }) {}

IoThread::~IoThread() {
  if (in_io_thread()) {
    std::fprintf(stderr, "whisp IoThread destroyed on its own thread\n");
    std::abort();
  }
  stop();
  if (thread_.joinable()) thread_.join();
}

void IoThread::stop() {
  // io_context::stop is thread-safe and idempotent; the work guard is released by the
  // destructor, after the join (resetting it here would race between callers).
  context_.stop();
}

}  // namespace whisp::net
