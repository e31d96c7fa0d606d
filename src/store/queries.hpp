// Snapshot queries over a store connection (the writer's or a Reader's). Internal: the Store and
// the Reader wrap them in a read transaction and catch SQLite's exceptions.
#pragma once

#include <SQLiteCpp/Database.h>

#include <optional>
#include <string>

#include "store/snapshot.hpp"

namespace whisp::store {

class Queries {
 public:
  Queries(SQLite::Database& db, std::string self_id);

  std::int64_t last_seq();
  /// Live chats (not deleted, not hidden); one chat when given (empty if it is not live).
  Snapshot snapshot(const std::optional<std::string>& chat_id);
  ChatList chat_list();
  HistoryWindow window(const std::string& chat_id, int count,
                       const std::optional<std::string>& before);

 private:
  std::optional<std::int64_t> self_key();
  std::vector<MessageView> messages(std::int64_t chat_key, const char* extra_where,
                                    std::optional<std::int64_t> ts, const std::string& id,
                                    int limit, bool newest_first);
  void attach_reactions(std::int64_t chat_key, std::vector<MessageView>& msgs,
                        const std::vector<std::int64_t>& keys);
  void attach_chat_reactions(std::int64_t chat_key, std::vector<MessageView>& msgs,
                             const std::vector<std::int64_t>& keys);
  /// The own read pointer as shown: the server's, or an own read not yet confirmed beyond it
  /// (`pending`). Failed own reads do not count: the server never recorded them.
  struct Position {
    std::int64_t ts = 0;
    std::string id;
    bool pending = false;
  };
  std::optional<Position> own_pointer(std::int64_t chat_key);
  /// Messages of others after `own` (own_pointer).
  int unread(std::int64_t chat_key, const std::optional<Position>& own);

  SQLite::Database& db_;
  std::string self_id_;
  std::vector<std::int64_t> last_keys_;
};

}  // namespace whisp::store
