// The apply function for local intents and outbox transitions (DESIGN.md invariant 5, PROTOCOL.md
// section 5): optimistic projection, the outbox, and the echo rule.
#include "store/apply.hpp"

namespace whisp::store {

std::optional<std::string> Applier::match_outbox(std::int64_t chat_key, int kind,
                                                 const std::string& match_text,
                                                 const std::optional<std::string>& target_id,
                                                 std::optional<std::int64_t> message_micros) {
  // Only `sent` entries match: a pending one was never on the wire. Then, for an own message
  // (`message_micros`: its server time), one that failed unconfirmed: the server stored it after
  // all (DESIGN.md invariant 5: delivered when found in history), so it is delivered, not shown
  // twice. Only if the server's message is not older than the intent (its row's time, the
  // client's clock, less kClockSkew): an older one with the same text is another message.
  auto& q = stmt(
      "SELECT local_id FROM outbox WHERE chat_key=?1 AND kind=?2 AND (state=2 OR (?5 IS NOT "
      "NULL AND state=3 AND unconfirmed=1 AND (SELECT ts FROM messages WHERE "
      "local_id=outbox.local_id) <= ?5)) AND (?3 IS NULL OR match_text=?3) AND (?4 IS NULL OR "
      "target_id=?4) ORDER BY state, seq LIMIT 1");
  q.bind(1, chat_key);
  q.bind(2, kind);
  if (message_micros && (kind == kSend || kind == kReply)) q.bind(5, *message_micros + kClockSkew);
  if (kind == kSend || kind == kReply || kind == kEdit || kind == kReact) q.bind(3, match_text);
  if (target_id) q.bind(4, *target_id);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

void Applier::refresh_pending_edit(const std::string& edit_local_id) {
  auto& q = stmt(
      "SELECT m.msg_key, id_text(m.message_id), m.local_id, m.chat_key FROM outbox o JOIN "
      "messages m ON m.chat_key=o.chat_key AND (m.message_id=id_pack(o.target_id) OR m.local_id=o.target_local) "
      "WHERE o.local_id=? AND o.kind=?");
  q.bind(1, edit_local_id);
  q.bind(2, kEdit);
  if (!q.executeStep()) return;
  std::int64_t msg_key = q.getColumn(0).getInt64();
  std::string message_id = q.getColumn(1).isNull() ? "" : q.getColumn(1).getString();
  std::string local_id = q.getColumn(2).isNull() ? "" : q.getColumn(2).getString();
  std::int64_t chat_key = q.getColumn(3).getInt64();
  q.reset();
  // The newest own edit still on its way, if any, stays shown.
  auto& u = stmt(
      "UPDATE messages SET pending_edit=(SELECT match_text FROM outbox WHERE chat_key=?5 AND "
      "kind=?1 AND state IN (1,2) AND (target_id=?2 OR target_local=?3) ORDER BY seq DESC "
      "LIMIT 1), pending_edit_at_text=CASE WHEN EXISTS(SELECT 1 FROM outbox WHERE chat_key=?5 "
      "AND kind=?1 AND state IN (1,2) AND (target_id=?2 OR target_local=?3)) THEN "
      "pending_edit_at_text END WHERE msg_key=?4");
  u.bind(1, kEdit);
  u.bind(2, message_id);
  u.bind(3, local_id);
  u.bind(4, msg_key);
  u.bind(5, chat_key);
  u.exec();
}

void Applier::deliver(const std::string& local_id, const std::string& server_id) {
  auto& u = stmt("UPDATE outbox SET state=4, server_id=?, reason='', unconfirmed=0 "
                 "WHERE local_id=?");
  u.bind(1, server_id);
  u.bind(2, local_id);
  u.exec();
  refresh_pending_edit(local_id);
  // Intents aimed at this local id now resolve to the server id.
  auto& t = stmt("UPDATE outbox SET target_id=? WHERE target_local=? AND target_id IS NULL");
  t.bind(1, server_id);
  t.bind(2, local_id);
  t.exec();
  // A delete or unreact aimed at this one failed while it was not delivered (it failed
  // unconfirmed and is delivered only now, by its echo or a page): what it hid shows again,
  // as the server holds it.
  std::vector<std::pair<std::string, int>> failed;
  {
    auto& q = stmt(
        "SELECT local_id, kind FROM outbox WHERE target_local=? AND state=? AND kind IN (?, ?)");
    q.bind(1, local_id);
    q.bind(2, kFailed);
    q.bind(3, kDelete);
    q.bind(4, kUnreact);
    while (q.executeStep()) failed.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getInt());
    q.reset();
  }
  for (const auto& [dependent, kind] : failed) undo_pending_removal(dependent, kind);
  auto& r = stmt("UPDATE messages SET reply_id=? WHERE reply_local=? AND reply_id IS NULL");
  r.bind(1, server_id);
  r.bind(2, local_id);
  r.exec();
}

// A failed own delete or unreact took nothing away on the server (refused, or never received),
// so what it hid shows again, as the server holds it. Only a target the server knows (a server
// id); one whose own send or react failed too stays hidden, as its user asked.
void Applier::undo_pending_removal(const std::string& local_id, int kind) {
  auto& u = stmt(kind == kDelete
                     ? "UPDATE messages SET flags=flags&~?2 WHERE msg_key IN (SELECT m.msg_key "
                       "FROM outbox o JOIN messages m ON m.chat_key=o.chat_key AND "
                       "m.message_id=id_pack(o.target_id) WHERE o.local_id=?1)"
                     : "UPDATE reactions SET deleted=?3 WHERE deleted=?2 AND react_key IN (SELECT "
                       "r.react_key FROM outbox o JOIN reactions r ON r.chat_key=o.chat_key AND "
                       "r.reaction_id=o.target_id WHERE o.local_id=?1)");
  u.bind(1, local_id);
  u.bind(2, kind == kDelete ? kPendingDelete : kReactionPendingUnreact);
  if (kind != kDelete) u.bind(3, kReactionShown);
  u.exec();
}

std::optional<Applier::Msg> Applier::resolve_message(std::int64_t chat_key, const Target& t) {
  if (t.message_id) return msg_or_placeholder(chat_key, *t.message_id);
  if (t.local_id) {
    auto m = find_msg_by_local(*t.local_id);
    if (m) {
      auto& q = stmt("SELECT chat_key FROM messages WHERE msg_key=?");
      q.bind(1, m->key);
      if (q.executeStep() && q.getColumn(0).getInt64() == chat_key) return m;
    }
  }
  return std::nullopt;
}

namespace {
struct Row {
  int kind = 0;
  std::string match_text;
  std::optional<std::string> target_id, target_local;
};
}  // namespace

void Applier::apply_intent(const LocalIntent& li, std::int64_t seq, CommitInfo& info) {
  const std::string* chat_id = std::visit([](const auto& w) { return &w.chat_id; }, li.what);
  auto ch = chat(*chat_id, true, &info);
  info.changed_chats.insert(*chat_id);
  Row row;
  int state = kPending;
  std::string reason;
  const std::int64_t self = self_key();
  auto set_target = [&](const Target& t, const std::optional<Msg>& m) {
    row.target_id = t.message_id;
    if (!row.target_id && m && m->message_id) row.target_id = m->message_id;
    if (!row.target_id) row.target_local = t.local_id;
  };
  auto fail = [&](const char* why) {
    state = kFailed;
    reason = why;
  };

  std::visit(
      [&](const auto& w) {
        using T = std::decay_t<decltype(w)>;
        if (ch->deleted) {
          row.kind = 0;
          fail("chat deleted");
        }
        if constexpr (std::is_same_v<T, intent::Send> || std::is_same_v<T, intent::Reply>) {
          row.kind = std::is_same_v<T, intent::Send> ? kSend : kReply;
          row.match_text = w.text;
          std::optional<std::string> reply_id, reply_sender, reply_text, reply_local;
          if constexpr (std::is_same_v<T, intent::Reply>) {
            auto parent = resolve_message(ch->key, w.parent);
            set_target(w.parent, parent);
            if (parent) {
              auto& q = stmt(
                  "SELECT id_text(m.message_id), m.local_id, u.user_id, "
                  "COALESCE(m.pending_edit, m.edit_text, m.text) FROM messages m LEFT JOIN users u "
                  "ON u.user_key=m.sender_key WHERE m.msg_key=?");
              q.bind(1, parent->key);
              if (q.executeStep()) {
                if (!q.getColumn(0).isNull()) reply_id = q.getColumn(0).getString();
                if (!q.getColumn(1).isNull() && !reply_id) reply_local = q.getColumn(1).getString();
                reply_sender = q.getColumn(2).isNull() ? "" : q.getColumn(2).getString();
                reply_text = q.getColumn(3).isNull() ? "" : q.getColumn(3).getString();
              }
            } else if (state != kFailed) {
              fail("reply target unknown");
            }
          }
          if (state == kFailed) return;
          auto& ins = stmt(
              "INSERT INTO messages(chat_key, local_id, sender_key, ts, ts_text, text, reply_id, "
              "reply_sender, reply_text, reply_local, flags, status, own_seq) "
              "VALUES(?,?,?,?,?,?,?,?,?,?,?,1,?)");
          ins.bind(1, ch->key);
          ins.bind(2, li.local_id);
          ins.bind(3, self);
          ins.bind(4, li.made_at.micros);
          bind_ts(ins, 5, li.made_at.text, li.made_at.micros);
          ins.bind(6, w.text);
          if (reply_id) ins.bind(7, *reply_id);
          if (reply_sender) ins.bind(8, *reply_sender);
          if (reply_text) ins.bind(9, *reply_text);
          if (reply_local) ins.bind(10, *reply_local);
          ins.bind(11, kHasBase | (row.kind == kReply ? kIsReply : 0));
          ins.bind(12, seq);
          ins.exec();
        } else if constexpr (std::is_same_v<T, intent::Edit> || std::is_same_v<T, intent::Delete>) {
          row.kind = std::is_same_v<T, intent::Edit> ? kEdit : kDelete;
          auto m = resolve_message(ch->key, w.target);
          set_target(w.target, m);
          if (state == kFailed) return;
          if (!m || !(m->flags & kHasBase)) return fail("target message unknown");
          if (m->sender_key != self) return fail("not an own message");
          if (m->flags & (kDeleted | kPendingDelete)) return fail("message deleted");
          if constexpr (std::is_same_v<T, intent::Edit>) {
            row.match_text = w.text;
            // An overlay until the server confirms it: a failed edit falls back to the server's.
            auto& u = stmt("UPDATE messages SET pending_edit=?, pending_edit_at_text=? WHERE msg_key=?");
            u.bind(1, w.text);
            u.bind(2, li.made_at.text);
            u.bind(3, m->key);
            u.exec();
          } else {
            // Hidden at once, but kept: the server may never carry the delete out (refused, or
            // never received), and then the message shows again (undo_pending_removal).
            auto& u = stmt("UPDATE messages SET flags=flags|? WHERE msg_key=?");
            u.bind(1, kPendingDelete);
            u.bind(2, m->key);
            u.exec();
          }
        } else if constexpr (std::is_same_v<T, intent::React>) {
          row.kind = kReact;
          row.match_text = w.emoji;
          auto m = resolve_message(ch->key, w.target);
          set_target(w.target, m);
          if (state == kFailed) return;
          if (!m) return fail("target message unknown");
          auto& ins = stmt(
              "INSERT INTO reactions(chat_key, local_id, msg_key, sender_key, emoji, deleted) "
              "VALUES(?,?,?,?,?,0)");
          ins.bind(1, ch->key);
          ins.bind(2, li.local_id);
          ins.bind(3, m->key);
          ins.bind(4, self);
          ins.bind(5, w.emoji);
          ins.exec();
        } else if constexpr (std::is_same_v<T, intent::Unreact>) {
          row.kind = kUnreact;
          row.target_id = w.reaction.message_id;
          if (state == kFailed) return;
          std::optional<std::int64_t> rkey;
          if (w.reaction.message_id) {
            auto& q = stmt("SELECT react_key, reaction_id FROM reactions WHERE chat_key=? AND reaction_id=?");
            q.bind(1, ch->key);
            q.bind(2, *w.reaction.message_id);
            if (q.executeStep()) rkey = q.getColumn(0).getInt64();
          } else if (w.reaction.local_id) {
            auto& q = stmt("SELECT react_key, reaction_id FROM reactions WHERE local_id=?");
            q.bind(1, *w.reaction.local_id);
            if (q.executeStep()) {
              rkey = q.getColumn(0).getInt64();
              if (!q.getColumn(1).isNull()) row.target_id = q.getColumn(1).getString();
            }
            if (!row.target_id) row.target_local = w.reaction.local_id;
          }
          if (!rkey) return fail("reaction unknown");
          auto& u = stmt("UPDATE reactions SET deleted=? WHERE react_key=? AND deleted=?");
          u.bind(1, kReactionPendingUnreact);
          u.bind(2, *rkey);
          u.bind(3, kReactionShown);
          u.exec();
        } else if constexpr (std::is_same_v<T, intent::MarkRead>) {
          row.kind = kRead;
          row.target_id = w.message_id;
          // Nothing moves in read_pointers: they hold the server's word. The own pointer shows
          // this read as an overlay while it is pending or sent (Queries::own_pointer), so a
          // read the server never records takes nothing along when it fails.
        }
      },
      li.what);

  auto& ins = stmt(
      "INSERT OR IGNORE INTO outbox(local_id, seq, chat_key, kind, state, reason, match_text, "
      "target_id, target_local) VALUES(?,?,?,?,?,?,?,?,?)");
  ins.bind(1, li.local_id);
  ins.bind(2, seq);
  ins.bind(3, ch->key);
  ins.bind(4, row.kind);
  ins.bind(5, state);
  ins.bind(6, reason);
  ins.bind(7, row.match_text);
  if (row.target_id) ins.bind(8, *row.target_id);
  if (row.target_local) ins.bind(9, *row.target_local);
  ins.exec();
}

// The user left the chat, or was removed from it: the server refuses whatever is still queued
// there (silently, for the dev server's default), so waiting for 3 sends of each, 10 s of echo
// timeout apiece and in the user's order, would hold the outbox for minutes. Each fails now.
// As `unconfirmed`: one stored before the removal, its echo lost, still turns delivered when
// its echo or a page shows it.
void Applier::fail_outbox_of_left_chat(std::int64_t chat_key, CommitInfo& info) {
  std::vector<std::string> queued;
  {
    auto& q = stmt("SELECT local_id FROM outbox WHERE chat_key=? AND state IN (?, ?)");
    q.bind(1, chat_key);
    q.bind(2, kPending);
    q.bind(3, kSent);
    while (q.executeStep()) queued.push_back(q.getColumn(0).getString());
    q.reset();
  }
  for (const auto& id : queued) {
    apply_transition(OutboxTransition{id, OutboxTransition::State::unconfirmed,
                                      "not a member of the chat any more"},
                     info);
  }
}

void Applier::apply_transition(const OutboxTransition& t, CommitInfo& info) {
  auto& q = stmt(
      "SELECT o.state, o.kind, c.chat_id FROM outbox o JOIN chats c ON c.chat_key=o.chat_key "
      "WHERE o.local_id=?");
  q.bind(1, t.local_id);
  if (!q.executeStep()) return;  // unknown local id: nothing to move
  int state = q.getColumn(0).getInt();
  int kind = q.getColumn(1).getInt();
  std::string chat_id = q.getColumn(2).getString();
  q.reset();
  if (state == kOutboxDelivered || state == kFailed) return;  // final states
  int next = state;
  int count = 0;
  switch (t.state) {
    case OutboxTransition::State::sent: next = kSent; count = 1; break;
    case OutboxTransition::State::failed:
    case OutboxTransition::State::unconfirmed: next = kFailed; break;
    case OutboxTransition::State::resend: next = kPending; break;
    case OutboxTransition::State::lost:
      if (state != kSent) return;  // only a send can be lost
      next = kPending;
      count = -1;
      break;
  }
  auto& u = stmt(
      "UPDATE outbox SET state=?, sends=MAX(sends+?, 0), reason=?, unconfirmed=? WHERE local_id=?");
  u.bind(1, next);
  u.bind(2, count);
  u.bind(3, next == kFailed ? t.reason : std::string());
  u.bind(4, t.state == OutboxTransition::State::unconfirmed);
  u.bind(5, t.local_id);
  u.exec();
  if (kind == kEdit && next == kFailed) refresh_pending_edit(t.local_id);
  if ((kind == kDelete || kind == kUnreact) && next == kFailed) undo_pending_removal(t.local_id, kind);
  if (kind == kReact && next == kFailed) {
    // The server does not hold it (invariant 4): it goes. Should it turn out stored after all
    // (failed unconfirmed), its echo or a history page brings it as the server's reaction.
    auto& r = stmt("UPDATE reactions SET deleted=? WHERE local_id=? AND reaction_id IS NULL");
    r.bind(1, kReactionDeleted);
    r.bind(2, t.local_id);
    r.exec();
  }
  if (kind == kSend || kind == kReply) {
    auto& m = stmt("UPDATE messages SET status=? WHERE local_id=? AND message_id IS NULL");
    m.bind(1, next);
    m.bind(2, t.local_id);
    m.exec();
  }
  info.changed_chats.insert(chat_id);
}

}  // namespace whisp::store
