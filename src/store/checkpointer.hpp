// Moves SQLite's WAL checkpoints off the writer's commit path.
//
// By default SQLite checkpoints inside the commit that pushes the WAL past 1,000 pages: that
// commit then pays for copying pages into the database and an fsync (2-34 ms measured), and so
// does every event queued behind it. The store instead installs a WAL hook that only signals
// this thread, which checkpoints PASSIVE-ly on its own connection: in WAL mode that runs beside
// the writer and never blocks it or the readers.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace whisp::store {

class Checkpointer {
 public:
  /// Starts the thread; it opens its own connection to `path` lazily, on the first request.
  explicit Checkpointer(std::string path);
  /// Stops and joins the thread (a checkpoint in progress completes first).
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  /// Asks for a checkpoint soon; cheap and non-blocking (safe inside SQLite's WAL hook).
  void request();
  /// Checkpoints completed so far.
  std::uint64_t done() const;

 private:
  void run();

  std::string path_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;
  bool stopping_ = false;
  std::uint64_t done_ = 0;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace whisp::store
