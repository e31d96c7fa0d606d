// Helper of the durability test (durability_test.cpp): ingests a long deterministic log into a
// store file in batches and writes each committed last seq to stdout ("<seq>\n", unbuffered),
// until killed or done ("done\n").
//   store_ingest_child DB SEED EVENTS
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "store/envelope.hpp"
#include "store/store.hpp"

using namespace whisp;
using namespace whisp::store;

namespace {

LogEntry live(const Event& e) {
  auto d = decode_entry(encode_event(e));
  if (!d) {
    std::fprintf(stderr, "child: %s\n", d.error().describe().c_str());
    std::exit(3);
  }
  return std::move(*d);
}

template <class T>
T common(const std::string& chat, const std::string& sender) {
  T e;
  e.chat_id = chat;
  e.sender_id = sender;
  e.recipient_id = "u-self";
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: store_ingest_child DB SEED EVENTS\n");
    return 2;
  }
  const std::string db = argv[1];
  std::mt19937_64 rng(std::strtoull(argv[2], nullptr, 10));
  const long total = std::strtol(argv[3], nullptr, 10);
  auto store = Store::open(db, OpenOptions{"u-self", true});
  if (!store) {
    std::fprintf(stderr, "child: %s\n", store.error().describe().c_str());
    return 3;
  }
  const std::string text(60, 'x');
  long made = 0;
  std::vector<LogEntry> batch;
  while (made < total) {
    batch.clear();
    const long n = 1 + static_cast<long>(rng() % 64);
    for (long i = 0; i < n && made < total; ++i, ++made) {
      const std::string chat = "c" + std::to_string(rng() % 8);
      const std::string id = "m" + std::to_string(made);
      const std::string prev = "m" + std::to_string(made > 0 ? rng() % made : 0);
      const std::string sender = (rng() % 5 == 0) ? "u-self" : "u-" + std::to_string(rng() % 4);
      switch (rng() % 10) {
        case 0: {
          auto e = common<event::EditMsg>(chat, sender);
          e.message_id = prev;
          e.text = "edited " + id;
          e.edited_at = timestamp_from_micros(1705312800000000 + made * 1000);
          batch.push_back(live(e));
          break;
        }
        case 1: {
          auto e = common<event::React>(chat, sender);
          e.reaction_id = "r" + id;
          e.emoji = "+1";
          e.parent_message_id = prev;
          e.time_stamp = timestamp_from_micros(1705312800000000 + made * 1000);
          batch.push_back(live(e));
          break;
        }
        case 2: {
          auto e = common<event::ReadMsg>(chat, sender);
          e.message_id = prev;
          batch.push_back(live(e));
          break;
        }
        case 3: {
          LocalIntent li;
          li.local_id = "L" + id;
          li.made_at = timestamp_from_micros(1705312800000000 + made * 1000);
          li.what = intent::Send{chat, "mine " + id};
          batch.push_back(li);
          batch.push_back(OutboxTransition{li.local_id, OutboxTransition::State::sent, ""});
          break;
        }
        default: {
          auto e = common<event::SendMsg>(chat, sender);
          e.message_id = id;
          e.text = text + id;
          e.time_stamp = timestamp_from_micros(1705312800000000 + made * 1000);
          batch.push_back(live(e));
          break;
        }
      }
    }
    auto info = (*store)->commit(batch);
    if (!info) {
      std::fprintf(stderr, "child: %s\n", info.error().describe().c_str());
      return 3;
    }
    std::string line = std::to_string(info->last_seq) + "\n";
    if (::write(STDOUT_FILENO, line.data(), line.size()) < 0) return 4;
  }
  if (::write(STDOUT_FILENO, "done\n", 5) < 0) return 4;
  return 0;
}
