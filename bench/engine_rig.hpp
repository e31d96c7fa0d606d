// The engine's actor core without a network, for the ingest and memory benchmarks: the
// notifier, the writer (owning the Store, group commit), the hub and the chat actors it spawns,
// exactly as Engine::start wires them (src/actors/engine.cpp), plus a feeder actor that plays
// the connection actor's receive path on raw STOMP bytes.
//
// The feeder mirrors ConnectionState's on_data/on_frame for MESSAGE frames line for line
// (src/actors/connection_actor.cpp): one chunk = one WebSocket message → stomp::Parser::feed →
// next() until it needs more → decode_event(body) → store::LiveEvent{body, event} → appended to
// the events not yet sent; a SendEvents to itself, queued behind the chunks already waiting,
// takes them to the hub as one IncomingEvents. It is a copy of those few lines, not a call into them
// (they are private to the connection actor); the parser, the decoder, the hub, the chat actors,
// the writer and the notifier are the engine's own. Not in the rig: the I/O thread, the API,
// sync and connection actors (nothing here talks to a server).
//
// Threads: feed() may be called from one thread at a time (it plays the I/O thread); on_change
// runs on the notifier's thread, as in an Engine.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "whisp/engine.hpp"
#include "whisp/result.hpp"

namespace whisp::bench {

class EngineRig {
 public:
  /// Opens (or creates) the store at `db_path` for `self_user_id` and spawns the actors.
  /// `on_change` is called after each commit, on the notifier thread.
  static Result<std::unique_ptr<EngineRig>> start(const std::string& db_path,
                                                  const std::string& self_user_id,
                                                  std::function<void(const Change&)> on_change);
  ~EngineRig();  // flushes pending commits, stops every actor
  EngineRig(const EngineRig&) = delete;
  EngineRig& operator=(const EngineRig&) = delete;

  /// One WebSocket message's bytes, handed to the feeder actor (as the I/O thread hands WsData
  /// to the connection actor). Returns at once.
  void feed(std::string bytes);
  /// MESSAGE frames whose body did not decode (reported and skipped, as the engine does).
  std::uint64_t skipped() const;
  /// Chat actors the hub has spawned: actors running in the rig's actor system (CAF's
  /// registry count) minus those running when start() returned (notifier, writer, hub, feeder).
  std::size_t chat_actors() const;

  struct Impl;

 private:
  explicit EngineRig(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Resident set size of this process in bytes (from /proc/self/statm), 0 when unknown.
std::size_t current_rss_bytes();

}  // namespace whisp::bench
