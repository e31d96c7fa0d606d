#include "store/checkpointer.hpp"

#include <SQLiteCpp/Database.h>

#include <memory>

#include "whisp/log.hpp"

namespace whisp::store {

Checkpointer::Checkpointer(std::string path) : path_(std::move(path)), thread_([this] { run(); }) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Checkpointer::request() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requested_ = true;
  }
  wake_.notify_one();
}

std::uint64_t Checkpointer::done() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return done_;
}

void Checkpointer::run() {
  std::unique_ptr<SQLite::Database> db;
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return requested_ || stopping_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    try {
      if (!db) {
        db = std::make_unique<SQLite::Database>(path_, SQLite::OPEN_READWRITE);
        db->setBusyTimeout(5000);
      }
      db->exec("PRAGMA wal_checkpoint(PASSIVE)");
    } catch (const std::exception& e) {
      // The WAL only grows until the next try; nothing is lost.
      log(LogLevel::warn, "store", std::string("background checkpoint: ") + e.what());
    }
    lock.lock();
    ++done_;
  }
}

}  // namespace whisp::store
