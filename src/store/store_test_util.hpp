// Test helpers of the store suite: event builders (each event goes through the protocol's
// encode_event and the store's decode_entry, like a received frame), and snapshot helpers.
#pragma once

#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "store/envelope.hpp"
#include "store/snapshot.hpp"
#include "store/store.hpp"

namespace whisp::store::test {

inline const std::string kSelf = "u-self";

/// The whole content of a file ("" when it cannot be read).
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A fresh path for a store file under /tmp; the file and its WAL and SHM go with the object.
struct TempStore {
  std::string path;
  TempStore() {
    char buf[] = "/tmp/whisp-store-XXXXXX";
    int fd = ::mkstemp(buf);
    REQUIRE(fd >= 0);
    ::close(fd);
    path = buf;
    std::remove(path.c_str());
  }
  ~TempStore() {
    for (const char* s : {"", "-wal", "-shm"}) std::remove((path + s).c_str());
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;
};
constexpr std::int64_t kBase = 1705312800000000;  // 2024-01-15T10:00:00Z

inline Timestamp at(int seconds) { return timestamp_from_micros(kBase + seconds * 1000000LL); }

inline LogEntry line(const std::string& json) {
  auto e = decode_entry(json);
  INFO(json);
  REQUIRE(e.ok());
  return std::move(*e);
}

inline LogEntry live(const Event& ev) { return line(encode_event(ev)); }

template <class T>
T common(const std::string& chat, const std::string& sender) {
  T e;
  e.chat_id = chat;
  e.sender_id = sender;
  e.recipient_id = kSelf;
  return e;
}

inline LogEntry send(const std::string& chat, const std::string& sender, const std::string& id,
                     const std::string& text, int sec) {
  auto e = common<event::SendMsg>(chat, sender);
  e.message_id = id;
  e.text = text;
  e.time_stamp = at(sec);
  return live(e);
}
inline LogEntry reply(const std::string& chat, const std::string& sender, const std::string& id,
                      const std::string& text, int sec, const std::string& parent_id,
                      const std::string& parent_sender, const std::string& parent_text,
                      int parent_sec) {
  auto e = common<event::Reply>(chat, sender);
  e.message_id = id;
  e.text = text;
  e.time_stamp = at(sec);
  e.reply_to.chat_id = chat;
  e.reply_to.message_id = parent_id;
  e.reply_to.sender_id = parent_sender;
  e.reply_to.content = parent_text;
  e.reply_to.time_stamp = at(parent_sec);
  return live(e);
}
inline LogEntry edit(const std::string& chat, const std::string& sender, const std::string& id,
                     const std::string& text, Timestamp when) {
  auto e = common<event::EditMsg>(chat, sender);
  e.message_id = id;
  e.text = text;
  e.edited_at = std::move(when);
  return live(e);
}
inline LogEntry del(const std::string& chat, const std::string& sender, const std::string& id) {
  auto e = common<event::DeleteMsg>(chat, sender);
  e.message_id = id;
  e.time_stamp = at(0);
  return live(e);
}
inline LogEntry react(const std::string& chat, const std::string& sender, const std::string& rid,
                      const std::string& emoji, const std::string& parent) {
  auto e = common<event::React>(chat, sender);
  e.reaction_id = rid;
  e.emoji = emoji;
  e.parent_message_id = parent;
  e.time_stamp = at(0);
  return live(e);
}
inline LogEntry unreact(const std::string& chat, const std::string& sender,
                        const std::string& rid) {
  auto e = common<event::DeleteReact>(chat, sender);
  e.reaction_id = rid;
  return live(e);
}
inline LogEntry read(const std::string& chat, const std::string& reader, const std::string& id) {
  auto e = common<event::ReadMsg>(chat, reader);
  e.message_id = id;
  return live(e);
}
inline LogEntry join(const std::string& chat, const std::string& user, const std::string& name) {
  auto e = common<event::UserJoin>(chat, "u-admin");
  e.user_id = user;
  e.username = name;
  return live(e);
}
inline LogEntry leave(const std::string& chat, const std::string& user) {
  auto e = common<event::UserLeave>(chat, user);
  e.text = user + " left the Chat";
  e.time_stamp = at(0);
  return live(e);
}
inline LogEntry new_chat(const std::string& chat, const std::string& name) {
  auto e = common<event::NewChat>(chat, "u-admin");
  e.name = name;
  e.time_stamp = at(0);
  return live(e);
}
inline LogEntry delete_chat(const std::string& chat) {
  return live(common<event::DeleteChat>(chat, "u-admin"));
}

inline std::unique_ptr<Store> memory_store(const std::string& self = kSelf) {
  auto s = Store::open(":memory:", OpenOptions{self, true});
  REQUIRE(s.ok());
  return std::move(*s);
}

inline Snapshot snapshot_of(Store& store) {
  auto s = store.snapshot();
  REQUIRE(s.ok());
  return std::move(*s);
}

/// Commits `entries` to a fresh in-memory store in batches cut at `cuts` (indices where a new
/// transaction starts) and returns the snapshot.
inline Snapshot apply_all(const std::vector<LogEntry>& entries, const std::vector<size_t>& cuts = {}) {
  auto store = memory_store();
  std::vector<LogEntry> batch;
  size_t next_cut = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (next_cut < cuts.size() && cuts[next_cut] == i) {
      if (!batch.empty()) REQUIRE(store->commit(batch).ok());
      batch.clear();
      ++next_cut;
    }
    batch.push_back(entries[i]);
  }
  if (!batch.empty()) REQUIRE(store->commit(batch).ok());
  return snapshot_of(*store);
}

inline const ChatView* find_chat(const Snapshot& s, const std::string& id) {
  for (const auto& c : s.chats) {
    if (c.chat_id == id) return &c;
  }
  return nullptr;
}

inline const MessageView* find_message(const ChatView& c, const std::string& id) {
  for (const auto& m : c.messages) {
    if (m.message_id && *m.message_id == id) return &m;
  }
  return nullptr;
}

}  // namespace whisp::store::test

namespace whisp::store::test {

/// A history touching every entry kind: events of every type, pages, intents, transitions.
inline std::vector<LogEntry> rich_history() {
  std::vector<LogEntry> out = {
      new_chat("c1", "General"), join("c1", kSelf, "me"), join("c1", "u-a", "alice"),
      send("c1", "u-a", "m1", "hello", 1), send("c1", kSelf, "m2", "hi \xF0\x9F\x91\x8B", 2),
      reply("c1", "u-a", "m3", "yes", 3, "m2", kSelf, "hi", 2),
      edit("c1", "u-a", "m1", "hello!", at(4)), react("c1", "u-a", "r1", "+1", "m2"),
      react("c1", "u-a", "r2", "ok", "m9"), unreact("c1", "u-a", "r1"), del("c1", "u-a", "m3"),
      read("c1", "u-a", "m2"), read("c1", kSelf, "m1"), send("c2", "u-b", "m5", "other", 5),
      leave("c2", "u-b"), send("c3", "u-b", "m6", "doomed", 6), delete_chat("c3")};
  LocalIntent send_i;
  send_i.local_id = "L1";
  send_i.made_at = at(10);
  send_i.what = intent::Send{"c1", "queued"};
  out.push_back(send_i);
  LocalIntent react_i;
  react_i.local_id = "L2";
  react_i.made_at = at(11);
  react_i.what = intent::React{"c1", Target{std::nullopt, "L1"}, "\xE2\x9D\xA4"};
  out.push_back(react_i);
  out.push_back(OutboxTransition{"L1", OutboxTransition::State::sent, ""});
  out.push_back(send("c1", kSelf, "m7", "queued", 12));
  HistoryPage page;
  page.chat_id = "c2";
  page.size = 10;
  rest::Message m;
  m.chat_id = "c2";
  m.message_id = "m4";
  m.sender_id = "u-b";
  m.content = "older";
  m.time_stamp = at(4);
  page.page.messages.push_back(m);
  out.push_back(page);
  MembersPage members;
  members.chat_id = "c2";
  rest::ChatUserInfo u;
  u.user_id = "u-b";
  u.username = "bob";
  u.joined_chat_at = at(0);
  u.last_seen_message = "m4";
  members.users.users.push_back(u);
  out.push_back(members);
  return out;
}

// A chat as getChats lists it.
inline rest::ChatDetails chat_details(const std::string& id, const std::string& name) {
  rest::ChatDetails d;
  d.chat_id = id;
  d.chat_name = name;
  d.created_at = at(0);
  d.creator = "u-a";
  return d;
}

// Own actions: an intent made at `sec`, an outbox transition, targets by local or server id.
template <class W>
inline LocalIntent intent_of(const std::string& local, W what, int sec = 100) {
  LocalIntent i;
  i.local_id = local;
  i.made_at = at(sec);
  i.what = std::move(what);
  return i;
}

inline LogEntry moved(const std::string& local, OutboxTransition::State state,
                      const std::string& reason = "") {
  return OutboxTransition{local, state, reason};
}

inline Target local(const std::string& id) { return Target{std::nullopt, id}; }
inline Target server(const std::string& id) { return Target{id, std::nullopt}; }

inline void commit(Store& s, std::vector<LogEntry> entries) { REQUIRE(s.commit(entries).ok()); }

// History pages of chat c1.
inline rest::Message page_msg(const std::string& id, const std::string& sender, const std::string& text,
                       int sec) {
  rest::Message m;
  m.chat_id = "c1";
  m.message_id = id;
  m.sender_id = sender;
  m.content = text;
  m.time_stamp = at(sec);
  return m;
}

inline HistoryPage page(std::vector<rest::Message> msgs, int size,
                 std::optional<std::string> before = std::nullopt) {
  HistoryPage h;
  h.chat_id = "c1";
  h.size = size;
  h.before = std::move(before);
  h.page.messages = std::move(msgs);
  return h;
}

}  // namespace whisp::store::test
