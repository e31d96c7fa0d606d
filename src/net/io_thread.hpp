// IoThread: one boost::asio::io_context and the one thread that runs it.
//
// Every socket of the network layer (HttpClient, WsClient) lives on an IoThread, and every
// completion callback of those classes runs on that thread. One thread per IoThread means
// callbacks of one IoThread never run concurrently with each other.
//
// Thread safety: all members are safe from any thread. `stop()` is idempotent.
// Lifetime: the destructor stops the context and joins the thread; it must not run on the
// IoThread itself (it would join itself: that is checked and aborts). Work still queued when the
// context stops is destroyed without running, so objects living on an IoThread (clients) must be
// closed before it is destroyed if their final callbacks matter.
#pragma once

#include <atomic>
#include <thread>
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace whisp::net {

class IoThread {
 public:
  /// Starts the thread at once; it runs until stop() or destruction.
  IoThread();
  ~IoThread();
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  /// The context, for constructing sockets, timers and strands. Do not call run() on it.
  boost::asio::io_context& context() { return context_; }

  /// Runs `f` on the I/O thread soon (FIFO with other posts). Cost: one allocation.
  template <class F>
  void post(F&& f) {
    boost::asio::post(context_, std::forward<F>(f));
  }

  /// True when called from the I/O thread.
  bool in_io_thread() const { return std::this_thread::get_id() == thread_id_.load(); }

  /// Stops the context: pending handlers are not run, the thread returns. Any thread, idempotent.
  /// Does not join (the destructor does).
  void stop();

 private:
  boost::asio::io_context context_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::atomic<std::thread::id> thread_id_{};
  std::thread thread_;
};

}  // namespace whisp::net
