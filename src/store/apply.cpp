// The apply function for live events (DESIGN.md invariant 3, the order-tolerance table).
#include "store/apply.hpp"

namespace whisp::store {

void Applier::apply(const LogEntry& entry, std::int64_t seq, CommitInfo& info) {
  seq_ = seq;
  switch (entry.index()) {
    case 0: apply_event(std::get<LiveEvent>(entry).event, info); break;
    case 1: apply_history(std::get<HistoryPage>(entry), info); break;
    case 2: apply_chats(std::get<ChatsPage>(entry), info); break;
    case 3: apply_members(std::get<MembersPage>(entry), info); break;
    case 4: apply_intent(std::get<LocalIntent>(entry), seq, info); break;
    case 5: apply_transition(std::get<OutboxTransition>(entry), info); break;
    default: break;
  }
}

void Applier::apply_event(const Event& ev, CommitInfo& info) {
  if (std::holds_alternative<event::Typing>(ev) || std::holds_alternative<event::Unknown>(ev)) {
    return;  // typing is ephemeral; unknown types are kept in the log only
  }
  const event::Common& c = event_common(ev);
  auto ch = chat(c.chat_id, true, &info);
  if (ch->deleted) return;  // DELETE_CHAT is for good
  info.changed_chats.insert(c.chat_id);
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, event::SendMsg>) {
          Base b;
          b.message_id = &e.message_id;
          b.sender_key = user_key(e.sender_id);
          b.ts = e.time_stamp.micros;
          b.ts_text = &e.time_stamp.text;
          b.text = &e.text;
          on_message(*ch, e.chat_id, b, self_key(), info, false);
        } else if constexpr (std::is_same_v<T, event::Reply>) {
          Base b;
          b.message_id = &e.message_id;
          b.sender_key = user_key(e.sender_id);
          b.ts = e.time_stamp.micros;
          b.ts_text = &e.time_stamp.text;
          b.text = &e.text;
          b.is_reply = true;
          b.reply_id = &e.reply_to.message_id;
          b.reply_sender = &e.reply_to.sender_id;
          b.reply_text = &e.reply_to.content;
          on_message(*ch, e.chat_id, b, self_key(), info, false);
        } else if constexpr (std::is_same_v<T, event::EditMsg>) {
          on_edit(*ch, e);
        } else if constexpr (std::is_same_v<T, event::DeleteMsg>) {
          on_delete(*ch, e);
        } else if constexpr (std::is_same_v<T, event::React>) {
          on_react(*ch, e.reaction_id, user_key(e.sender_id), e.emoji, e.parent_message_id);
        } else if constexpr (std::is_same_v<T, event::DeleteReact>) {
          on_delete_react(*ch, e);
        } else if constexpr (std::is_same_v<T, event::ReadMsg>) {
          std::int64_t reader = user_key(e.sender_id);
          on_read(*ch, reader, e.message_id);
          if (reader == self_key()) {
            if (auto l = match_outbox(ch->key, kRead, "", e.message_id)) deliver(*l, e.message_id);
          }
        } else if constexpr (std::is_same_v<T, event::UserJoin>) {
          // The server keeps a read pointer per membership: one who left and is added back
          // starts with none, so the old pointer and held reads go.
          end_membership_reads(ch->key, user_key(e.user_id));
          auto& u = stmt(
              "INSERT INTO members(chat_key, user_key, username, present, since_seq) "
              "VALUES(?,?,?,1,?) ON CONFLICT(chat_key, user_key) DO UPDATE SET "
              "username=excluded.username, present=1, since_seq=excluded.since_seq");
          u.bind(1, ch->key);
          u.bind(2, user_key(e.user_id));
          u.bind(3, e.username);
          u.bind(4, seq_);
          u.exec();
          if (e.user_id == self_id_) {
            auto& h = stmt("UPDATE chats SET hidden=0, since_seq=? WHERE chat_key=?");
            h.bind(1, seq_);
            h.bind(2, ch->key);
            h.exec();
            info.chat_list_changed = true;
          }
        } else if constexpr (std::is_same_v<T, event::UserLeave>) {
          auto& u = stmt(
              "INSERT INTO members(chat_key, user_key, username, present, since_seq) "
              "VALUES(?,?,NULL,0,?) ON CONFLICT(chat_key, user_key) DO UPDATE SET present=0, "
              "since_seq=excluded.since_seq");
          u.bind(1, ch->key);
          u.bind(2, user_key(e.sender_id));
          u.bind(3, seq_);
          u.exec();
          if (e.sender_id == self_id_) {
            auto& h = stmt("UPDATE chats SET hidden=1, since_seq=? WHERE chat_key=?");
            h.bind(1, seq_);
            h.bind(2, ch->key);
            h.exec();
            info.chat_list_changed = true;
            fail_outbox_of_left_chat(ch->key, info);
          }
        } else if constexpr (std::is_same_v<T, event::NewChat>) {
          auto& s = stmt("UPDATE chats SET since_seq=? WHERE chat_key=?");
          s.bind(1, seq_);
          s.bind(2, ch->key);
          s.exec();
          // The first name wins over later NEW_CHATs; a getChats listing wins over both.
          auto& u = stmt(
              "UPDATE chats SET name=? WHERE chat_key=? AND name IS NULL AND name_from_list=0");
          u.bind(1, e.name);
          u.bind(2, ch->key);
          if (u.exec() > 0) info.chat_list_changed = true;
        } else if constexpr (std::is_same_v<T, event::DeleteChat>) {
          delete_chat(*ch, e.chat_id);
          info.chat_list_changed = true;
        }
      },
      ev);
}

void Applier::on_message(const Chat& chat, const std::string& /*chat_id*/, const Base& b,
                         std::int64_t self, CommitInfo& /*info*/, bool from_page) {
  if (b.sender_key != self && !from_page) {
    // Fast path, the common case: a new message from someone else. Any existing row (duplicate
    // or placeholder) makes the insert a no-op and falls through to the general path.
    auto& ins = stmt(
        "INSERT INTO messages(chat_key, message_id, sender_key, ts, ts_text, text, reply_id, "
        "reply_sender, reply_text, flags, since_seq) VALUES(?,id_pack(?),?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT(chat_key, message_id) DO NOTHING");
    ins.bind(1, chat.key);
    ins.bindNoCopy(2, (*b.message_id));
    ins.bind(3, b.sender_key);
    ins.bind(4, b.ts);
    bind_ts(ins, 5, (*b.ts_text), b.ts);
    ins.bindNoCopy(6, (*b.text));
    if (b.is_reply) {
      ins.bindNoCopy(7, (*b.reply_id));
      ins.bindNoCopy(8, (*b.reply_sender));
      ins.bindNoCopy(9, (*b.reply_text));
    }
    ins.bind(10, kHasBase | (b.is_reply ? kIsReply : 0));
    ins.bind(11, seq_);
    if (ins.exec() > 0) return;
  }
  auto existing = find_msg(chat.key, (*b.message_id));
  if (existing && (existing->flags & kHasBase)) {
    if (from_page) {
      // The page is the server's word on the content (never un-deletes a tombstone).
      auto& u = stmt(
          "UPDATE messages SET text=CASE WHEN flags&2 THEN NULL ELSE ? END, flags=flags&~4 "
          "WHERE msg_key=?");
      u.bind(1, (*b.text));
      u.bind(2, existing->key);
      u.exec();
    }
    return;  // a duplicate
  }
  if (b.sender_key == self) {
    // The echo rule: the oldest own `sent` entry with the same text (and parent) in this chat.
    int kind = b.is_reply ? kReply : kSend;
    std::optional<std::string> parent;
    if (b.is_reply) parent = (*b.reply_id);
    if (auto local = match_outbox(chat.key, kind, (*b.text), parent, b.ts)) {
      auto own = find_msg_by_local(*local);
      if (own) {
        if (existing) merge_placeholder(own->key, existing->key);
        auto& u = stmt(
            "UPDATE messages SET message_id=id_pack(?), ts=?, ts_text=?, status=0, since_seq=? "
            "WHERE msg_key=?");
        u.bind(1, (*b.message_id));
        u.bind(2, b.ts);
        bind_ts(u, 3, (*b.ts_text), b.ts);
        u.bind(4, seq_);
        u.bind(5, own->key);
        u.exec();
        if (b.is_reply) {
          // The server's snapshot of the parent wins over the one the intent took locally (the
          // parent may have been edited in between): every device then shows the same quote.
          auto& r = stmt(
              "UPDATE messages SET reply_id=?, reply_sender=?, reply_text=?, reply_local=NULL "
              "WHERE msg_key=? AND (flags & 2)=0");
          r.bind(1, (*b.reply_id));
          r.bind(2, (*b.reply_sender));
          r.bind(3, (*b.reply_text));
          r.bind(4, own->key);
          r.exec();
        }
        deliver(*local, (*b.message_id));
        release_held_reads(chat.key, own->key);
        return;
      }
    }
  }
  std::int64_t key;
  int flags = kHasBase | (b.is_reply ? kIsReply : 0);
  if (existing) {
    key = existing->key;
    flags |= existing->flags & kDeleted;
    auto& u = stmt(
        "UPDATE messages SET sender_key=?, ts=?, ts_text=?, text=?, reply_id=?, reply_sender=?, "
        "reply_text=?, flags=?, since_seq=? WHERE msg_key=?");
    u.bind(1, b.sender_key);
    u.bind(2, b.ts);
    bind_ts(u, 3, (*b.ts_text), b.ts);
    if (flags & kDeleted) {
      u.bind(4);
    } else {
      u.bind(4, (*b.text));
    }
    if (b.is_reply) {
      u.bind(5, (*b.reply_id));
      u.bind(6, (*b.reply_sender));
      u.bind(7, (*b.reply_text));
    }
    u.bind(8, flags);
    u.bind(9, seq_);
    u.bind(10, key);
    u.exec();
    release_held_reads(chat.key, key);
  } else {
    auto& ins = stmt(
        "INSERT INTO messages(chat_key, message_id, sender_key, ts, ts_text, text, reply_id, "
        "reply_sender, reply_text, flags, since_seq) VALUES(?,id_pack(?),?,?,?,?,?,?,?,?,?)");
    ins.bind(1, chat.key);
    ins.bind(2, (*b.message_id));
    ins.bind(3, b.sender_key);
    ins.bind(4, b.ts);
    bind_ts(ins, 5, (*b.ts_text), b.ts);
    ins.bind(6, (*b.text));
    if (b.is_reply) {
      ins.bind(7, (*b.reply_id));
      ins.bind(8, (*b.reply_sender));
      ins.bind(9, (*b.reply_text));
    }
    ins.bind(10, flags);
    ins.bind(11, seq_);
    ins.exec();
  }
}

void Applier::on_edit(const Chat& chat, const event::EditMsg& e) {
  Msg m = msg_or_placeholder(chat.key, e.message_id);
  if (m.flags & kDeleted) return;
  if (e.sender_id == self_id_) {
    if (auto local = match_outbox(chat.key, kEdit, e.text, e.message_id)) {
      deliver(*local, e.message_id);
    }
  }
  // The server's edit fact; the own overlay, if this was its echo, went with deliver().
  merge_edit(m.key, e.text, e.edited_at.micros, e.edited_at.text, false);
}

void Applier::on_delete(const Chat& chat, const event::DeleteMsg& e) {
  Msg m = msg_or_placeholder(chat.key, e.message_id);
  if (e.sender_id == self_id_) {
    if (auto local = match_outbox(chat.key, kDelete, "", e.message_id)) {
      deliver(*local, e.message_id);
    }
  }
  if (m.flags & kDeleted) return;
  auto& u = stmt(
      "UPDATE messages SET flags=flags|2, text=NULL, edit_text=NULL, reply_text=NULL, "
      "pending_edit=NULL, pending_edit_at_text=NULL "
      "WHERE msg_key=?");
  u.bind(1, m.key);
  u.exec();
}

void Applier::on_react(const Chat& chat, const std::string& reaction_id, std::int64_t sender_key,
                       const std::string& emoji, const std::string& parent_id) {
  auto& q = stmt("SELECT react_key, msg_key FROM reactions WHERE chat_key=? AND reaction_id=?");
  q.bind(1, chat.key);
  q.bind(2, reaction_id);
  std::optional<std::int64_t> existing;
  bool has_parent = false;
  if (q.executeStep()) {
    existing = q.getColumn(0).getInt64();
    has_parent = !q.getColumn(1).isNull();
  }
  q.reset();
  if (existing && has_parent) return;  // a duplicate
  Msg parent = msg_or_placeholder(chat.key, parent_id);
  if (!existing && sender_key == self_key()) {
    if (auto local = match_outbox(chat.key, kReact, emoji, parent_id)) {
      auto& u = stmt("UPDATE reactions SET reaction_id=?, since_seq=? WHERE local_id=?");
      u.bind(1, reaction_id);
      u.bind(2, seq_);
      u.bind(3, *local);
      if (u.exec() > 0) {
        deliver(*local, reaction_id);
        return;
      }
    }
  }
  if (existing) {  // DELETE_REACT came first: fill in, stays deleted
    auto& u = stmt("UPDATE reactions SET msg_key=?, sender_key=?, emoji=? WHERE react_key=?");
    u.bind(1, parent.key);
    u.bind(2, sender_key);
    u.bind(3, emoji);
    u.bind(4, *existing);
    u.exec();
    return;
  }
  auto& ins = stmt(
      "INSERT INTO reactions(chat_key, reaction_id, msg_key, sender_key, emoji, deleted, "
      "since_seq) VALUES(?,?,?,?,?,0,?)");
  ins.bind(1, chat.key);
  ins.bind(2, reaction_id);
  ins.bind(3, parent.key);
  ins.bind(4, sender_key);
  ins.bind(5, emoji);
  ins.bind(6, seq_);
  ins.exec();
}

void Applier::on_delete_react(const Chat& chat, const event::DeleteReact& e) {
  if (e.sender_id == self_id_) {
    if (auto local = match_outbox(chat.key, kUnreact, "", e.reaction_id)) {
      deliver(*local, e.reaction_id);
    }
  }
  auto& u = stmt(
      "INSERT INTO reactions(chat_key, reaction_id, deleted) VALUES(?,?,1) "
      "ON CONFLICT(chat_key, reaction_id) DO UPDATE SET deleted=1");
  u.bind(1, chat.key);
  u.bind(2, e.reaction_id);
  u.exec();
}

void Applier::on_read(const Chat& chat, std::int64_t reader, const std::string& message_id) {
  Msg m = msg_or_placeholder(chat.key, message_id);
  if (m.ts) {
    advance_read(chat.key, reader, m.key);
  } else {
    auto& h = stmt("INSERT OR REPLACE INTO held_reads(msg_key, user_key, since_seq) VALUES(?,?,?)");
    h.bind(1, m.key);
    h.bind(2, reader);
    h.bind(3, seq_);
    h.exec();
  }
}

void Applier::on_listed_read(const Chat& chat, std::int64_t reader, const std::string& message_id,
                             std::optional<std::int64_t> after_seq) {
  Msg m = msg_or_placeholder(chat.key, message_id);
  if (m.ts) {
    // The list's word replaces what was set before its request (the member may have been
    // removed and added back since: the server's pointer is per membership); what was set
    // after it only moves forward.
    auto& r = stmt(
        "UPDATE read_pointers SET msg_key=?3, since_seq=?4, listed_id=NULL WHERE chat_key=?1 AND "
        "user_key=?2 AND (?5 IS NULL OR COALESCE(since_seq, 0) <= ?5)");
    r.bind(1, chat.key);
    r.bind(2, reader);
    r.bind(3, m.key);
    r.bind(4, after_seq ? *after_seq : seq_);
    if (after_seq) r.bind(5, *after_seq);
    r.exec();
    advance_read(chat.key, reader, m.key);
    // The list's word replaces a listed id, unless a list requested after this one set it.
    auto& c = stmt(
        "UPDATE read_pointers SET listed_id=NULL WHERE chat_key=?1 AND user_key=?2 AND "
        "(?3 IS NULL OR COALESCE(listed_seq, 0) <= ?3)");
    c.bind(1, chat.key);
    c.bind(2, reader);
    if (after_seq) c.bind(3, *after_seq);
    c.exec();
    return;
  }
  // The server points at a message whose position this store does not know, and may never: one
  // deleted before this engine saw it is absent from every history page. Its read is held as a
  // live one would be, and the pointer shows the listed id (the server's word) meanwhile, unless
  // a read arrived after the list was requested (newer than it).
  on_read(chat, reader, message_id);
  auto& u = stmt(
      "INSERT INTO read_pointers(chat_key, user_key, msg_key, since_seq, listed_id, listed_seq) "
      "VALUES(?1,?2,?3,?4,?5,?4) ON CONFLICT(chat_key, user_key) DO UPDATE SET "
      "listed_id=excluded.listed_id, listed_seq=excluded.listed_seq, "
      "since_seq=excluded.since_seq WHERE ?6 IS NULL OR COALESCE(read_pointers.since_seq, 0) <= ?6");
  u.bind(1, chat.key);
  u.bind(2, reader);
  u.bind(3, m.key);
  u.bind(4, seq_);
  u.bind(5, message_id);
  if (after_seq) u.bind(6, *after_seq);
  u.exec();
}

void Applier::delete_chat(const Chat& chat, const std::string& chat_id) {
  for (const char* sql :
       {"DELETE FROM held_reads WHERE msg_key IN (SELECT msg_key FROM messages WHERE chat_key=?1)",
        "DELETE FROM reactions WHERE chat_key=?1", "DELETE FROM messages WHERE chat_key=?1",
        "DELETE FROM members WHERE chat_key=?1", "DELETE FROM read_pointers WHERE chat_key=?1",
        "DELETE FROM segments WHERE chat_key=?1",
        "UPDATE outbox SET state=3, reason='chat deleted' WHERE chat_key=?1 AND state IN (1,2)",
        "UPDATE chats SET deleted=1 WHERE chat_key=?1"}) {
    auto& s = stmt(sql);
    s.bind(1, chat.key);
    s.exec();
  }
  chats_[chat_id].deleted = true;
  chats_[chat_id].key = chat.key;
}

}  // namespace whisp::store
