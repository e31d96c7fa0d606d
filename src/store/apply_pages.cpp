// The apply function for REST results: history pages (reconcile + segments), chat lists and
// member lists.
#include <algorithm>
#include <set>
#include <tuple>

#include "store/apply.hpp"

namespace whisp::store {
namespace {

struct Pos {
  std::int64_t ts;
  std::string id;
  bool operator<(const Pos& o) const { return std::tie(ts, id) < std::tie(o.ts, o.id); }
  bool operator<=(const Pos& o) const { return !(o < *this); }
};

}  // namespace

void Applier::apply_history(const HistoryPage& h, CommitInfo& info) {
  auto ch = chat(h.chat_id, true, &info);
  if (ch->deleted) return;
  info.changed_chats.insert(h.chat_id);
  std::vector<const rest::Message*> msgs;
  for (const auto& m : h.page.messages) {
    if (m.chat_id.empty() || m.chat_id == h.chat_id) msgs.push_back(&m);
  }
  std::sort(msgs.begin(), msgs.end(), [](const rest::Message* a, const rest::Message* b) {
    return std::tie(a->time_stamp.micros, a->message_id) <
           std::tie(b->time_stamp.micros, b->message_id);
  });
  const std::int64_t self = self_key();
  std::set<std::string> in_page;
  for (const rest::Message* m : msgs) {
    in_page.insert(m->message_id);
    Base b;
    b.message_id = &m->message_id;
    b.sender_key = user_key(m->sender_id);
    b.ts = m->time_stamp.micros;
    b.ts_text = &m->time_stamp.text;
    b.text = &m->content;
    if (m->reply_to) {
      b.is_reply = true;
      b.reply_id = &m->reply_to->message_id;
      b.reply_sender = &m->reply_to->sender_id;
      b.reply_text = &m->reply_to->content;
    }
    on_message(*ch, h.chat_id, b, self, info, true);
    auto row = find_msg(ch->key, m->message_id);
    if (!row) continue;
    if (m->edited && m->edited_at) {
      merge_edit(row->key, m->content, m->edited_at->micros, m->edited_at->text, false);
    }
    // Reactions become what the page says (tombstones stay; own pending ones stay).
    std::set<std::string> page_reactions;
    for (const auto& r : m->reactions) {
      page_reactions.insert(r.reaction_id);
      on_react(*ch, r.reaction_id, user_key(r.sender_id), r.reaction, m->message_id);
    }
    std::vector<std::pair<std::int64_t, std::string>> present;
    {
      // Not the ones a live event asserted after the request went out: the page predates them.
      auto& q = stmt(
          "SELECT react_key, reaction_id FROM reactions WHERE msg_key=?1 AND deleted IN (?3, ?4) "
          "AND reaction_id IS NOT NULL AND (?2 IS NULL OR COALESCE(since_seq, 0) <= ?2)");
      q.bind(1, row->key);
      if (h.after_seq) q.bind(2, *h.after_seq);
      // A reaction an own unreact hides (still waiting for the server) is gone too when the
      // page lacks it: it becomes a tombstone, which that unreact's failure does not bring back
      // (and which still confirms the unreact, below).
      q.bind(3, kReactionShown);
      q.bind(4, kReactionPendingUnreact);
      while (q.executeStep()) {
        present.emplace_back(q.getColumn(0).getInt64(), q.getColumn(1).getString());
      }
    }
    for (const auto& [key, id] : present) {
      if (page_reactions.count(id)) continue;
      auto& t = stmt("UPDATE reactions SET deleted=? WHERE react_key=? AND deleted=?");
      t.bind(1, kReactionDeleted);
      t.bind(2, key);
      t.bind(3, kReactionPendingUnreact);
      if (t.exec() > 0) continue;
      auto& d = stmt("DELETE FROM reactions WHERE react_key=?");
      d.bind(1, key);
      d.exec();
    }
    // Own edits and unreacts whose echo was lost are confirmed by what the page shows: the
    // message carries the edited text, the reaction is no longer on it (invariant 5).
    if (m->edited && m->sender_id == self_id_) {
      // The newest sent edit with the page's text is confirmed, and the older sent ones with
      // it: resending them would put an older text back.
      auto& q = stmt(
          "SELECT MAX(seq) FROM outbox WHERE chat_key=? AND kind=? AND state=? AND target_id=? "
          "AND match_text=?");
      q.bind(1, ch->key);
      q.bind(2, kEdit);
      q.bind(3, kSent);
      q.bind(4, m->message_id);
      q.bind(5, m->content);
      std::optional<std::int64_t> newest;
      if (q.executeStep() && !q.getColumn(0).isNull()) newest = q.getColumn(0).getInt64();
      q.reset();
      if (newest) {
        std::vector<std::string> confirmed;
        auto& e = stmt(
            "SELECT local_id FROM outbox WHERE chat_key=? AND kind=? AND state=? AND target_id=? "
            "AND seq<=?");
        e.bind(1, ch->key);
        e.bind(2, kEdit);
        e.bind(3, kSent);
        e.bind(4, m->message_id);
        e.bind(5, *newest);
        while (e.executeStep()) confirmed.push_back(e.getColumn(0).getString());
        e.reset();
        for (const auto& local : confirmed) deliver(local, m->message_id);
      }
    }
    confirm_unreacts(row->key, page_reactions, h.after_seq);
  }

  // The range the page covers: [oldest, newest] of the page, or [oldest, before); a short page
  // reaches the start of the chat. Known messages in it but absent from it are gone.
  const bool from_start = static_cast<int>(msgs.size()) < h.size;
  std::optional<Pos> lo, hi;
  bool hi_inclusive = true;
  if (!msgs.empty()) {
    lo = Pos{msgs.front()->time_stamp.micros, msgs.front()->message_id};
    hi = Pos{msgs.back()->time_stamp.micros, msgs.back()->message_id};
  }
  if (h.before) {
    auto cursor = find_msg(ch->key, *h.before);
    if (cursor && cursor->ts) {
      hi = Pos{*cursor->ts, *h.before};
      hi_inclusive = false;
    }
  }
  if (from_start) lo.reset();
  if (!hi && h.before) return;  // an unknown cursor: nothing can be said about the range
  // The newest page (no cursor) was the chat's newest when the server answered, so it also
  // covers what lies above its own newest message, but only what we knew before the request
  // went out: a message that arrived since may be newer than the answer.
  const bool open_above = !h.before && h.after_seq.has_value();
  // Whether the page speaks for a known message at `p`, last made known at log seq `since`:
  // absent from the page, it is gone from the server.
  auto covers = [&](const Pos& p, std::int64_t since) {
    if (lo && p < *lo) return false;
    bool above = hi && (hi_inclusive ? *hi < p : *hi <= p);
    if (!hi && !h.before) above = open_above;  // an empty newest page: all is above it
    if (above && !(open_above && since <= *h.after_seq)) return false;
    // Learned after the request went out: the server may have stored it after answering,
    // with a time inside the page's range (its clock is read when an action arrives, not
    // when it is stored), so the page cannot say it is gone.
    return !(h.after_seq && since > *h.after_seq);
  };
  std::vector<std::int64_t> gone;
  {
    auto& q = stmt(
        "SELECT msg_key, ts, id_text(message_id), COALESCE(since_seq, 0) FROM messages WHERE "
        "chat_key=? AND message_id IS NOT NULL AND (flags&7)=1 ORDER BY ts, 3");
    q.bind(1, ch->key);
    while (q.executeStep()) {
      Pos p{q.getColumn(1).getInt64(), q.getColumn(2).getString()};
      if (!covers(p, q.getColumn(3).getInt64()) || in_page.count(p.id)) continue;
      gone.push_back(q.getColumn(0).getInt64());
    }
  }
  for (auto key : gone) {
    auto& u = stmt("UPDATE messages SET flags=flags|4 WHERE msg_key=?");
    u.bind(1, key);
    u.exec();
    confirm_unreacts(key, {}, h.after_seq);  // its reactions went with it
  }
  // Own deletions whose echo was lost: their message lies in the range and the page lacks it.
  // (Its reactions went with it.)
  struct DeletedTarget {
    std::string local_id, message_id;
    std::int64_t msg_key;
  };
  std::vector<DeletedTarget> deleted_targets;
  {
    auto& q = stmt(
        "SELECT o.local_id, m.msg_key, m.ts, id_text(m.message_id), COALESCE(m.since_seq, 0) "
        "FROM outbox o JOIN messages m ON m.chat_key=o.chat_key AND "
        "m.message_id=id_pack(o.target_id) WHERE o.chat_key=? AND o.kind=? AND o.state=? AND "
        "m.ts IS NOT NULL");
    q.bind(1, ch->key);
    q.bind(2, kDelete);
    q.bind(3, kSent);
    while (q.executeStep()) {
      Pos p{q.getColumn(2).getInt64(), q.getColumn(3).getString()};
      if (!covers(p, q.getColumn(4).getInt64()) || in_page.count(p.id)) continue;
      deleted_targets.push_back({q.getColumn(0).getString(), p.id, q.getColumn(1).getInt64()});
    }
  }
  for (const auto& t : deleted_targets) {
    deliver(t.local_id, t.message_id);
    confirm_unreacts(t.msg_key, {}, h.after_seq);
  }
  if (hi) {
    Pos l = lo ? *lo : Pos{INT64_MIN, ""};
    record_segment(ch->key, l.ts, l.id, hi->ts, hi->id, from_start);
  } else if (msgs.empty() && from_start) {
    record_segment(ch->key, INT64_MIN, "", INT64_MAX, "", true);
  }
}

void Applier::confirm_unreacts(std::int64_t msg_key, const std::set<std::string>& still_there,
                               std::optional<std::int64_t> after_seq) {
  std::vector<std::pair<std::string, std::string>> confirmed;
  {
    // A reaction made known after the request went out may be newer than the page.
    auto& q = stmt(
        "SELECT o.local_id, o.target_id FROM outbox o JOIN reactions r ON "
        "r.chat_key=o.chat_key AND r.reaction_id=o.target_id WHERE r.msg_key=? AND o.kind=? AND "
        "o.state=? AND (?4 IS NULL OR COALESCE(r.since_seq, 0) <= ?4)");
    q.bind(1, msg_key);
    q.bind(2, kUnreact);
    q.bind(3, kSent);
    if (after_seq) q.bind(4, *after_seq);
    while (q.executeStep()) {
      std::string reaction = q.getColumn(1).getString();
      if (!still_there.count(reaction)) confirmed.emplace_back(q.getColumn(0).getString(), reaction);
    }
  }
  for (const auto& [local, reaction] : confirmed) deliver(local, reaction);
}

void Applier::record_segment(std::int64_t chat_key, std::int64_t lo_ts, const std::string& lo_id,
                             std::int64_t hi_ts, const std::string& hi_id, bool from_start) {
  struct Seg {
    Pos lo, hi;
    bool start;
  };
  std::vector<Seg> segs;
  {
    auto& q = stmt(
        "SELECT lo_ts, lo_id, hi_ts, hi_id, from_start FROM segments WHERE chat_key=? "
        "ORDER BY lo_ts, lo_id");
    q.bind(1, chat_key);
    while (q.executeStep()) {
      segs.push_back({Pos{q.getColumn(0).getInt64(), q.getColumn(1).getString()},
                      Pos{q.getColumn(2).getInt64(), q.getColumn(3).getString()},
                      q.getColumn(4).getInt() != 0});
    }
  }
  segs.push_back({Pos{lo_ts, lo_id}, Pos{hi_ts, hi_id}, from_start});
  std::sort(segs.begin(), segs.end(), [](const Seg& a, const Seg& b) { return a.lo < b.lo; });
  std::vector<Seg> merged;
  for (auto& s : segs) {
    if (s.start) s.lo = Pos{INT64_MIN, ""};
    if (!merged.empty() && s.lo <= merged.back().hi) {
      if (merged.back().hi < s.hi) merged.back().hi = s.hi;
      merged.back().start = merged.back().start || s.start;
    } else {
      merged.push_back(s);
    }
  }
  auto& d = stmt("DELETE FROM segments WHERE chat_key=?");
  d.bind(1, chat_key);
  d.exec();
  for (const auto& s : merged) {
    auto& ins = stmt(
        "INSERT INTO segments(chat_key, lo_ts, lo_id, hi_ts, hi_id, from_start) "
        "VALUES(?,?,?,?,?,?)");
    ins.bind(1, chat_key);
    ins.bind(2, s.lo.ts);
    ins.bind(3, s.lo.id);
    ins.bind(4, s.hi.ts);
    ins.bind(5, s.hi.id);
    ins.bind(6, s.start ? 1 : 0);
    ins.exec();
  }
}

void Applier::apply_chats(const ChatsPage& c, CommitInfo& info) {
  std::set<std::string> listed;
  for (const auto& d : c.chats.chats) {
    listed.insert(d.chat_id);
    auto ch = chat(d.chat_id, true, &info);
    if (ch->deleted) continue;
    // A chat the user left by a live event after the request stays hidden.
    auto& u = stmt(
        "UPDATE chats SET name=?1, name_from_list=1, hidden=CASE WHEN ?3 IS NOT NULL AND "
        "COALESCE(since_seq, 0) > ?3 THEN hidden ELSE 0 END WHERE chat_key=?2 AND "
        "(name IS NULL OR name<>?1 OR name_from_list=0 OR (hidden<>0 AND (?3 IS NULL OR "
        "COALESCE(since_seq, 0) <= ?3)))");
    u.bind(1, d.chat_name);
    u.bind(2, ch->key);
    if (c.after_seq) u.bind(3, *c.after_seq);
    if (u.exec() > 0) {
      info.chat_list_changed = true;
      info.changed_chats.insert(d.chat_id);
    }
  }
  if (!c.complete) return;
  std::set<std::string> pass(c.pass_chat_ids.begin(), c.pass_chat_ids.end());
  pass.insert(listed.begin(), listed.end());
  std::vector<std::pair<std::int64_t, std::string>> vanished;
  {
    // A chat a live event brought after the request went out is not one that vanished.
    auto& q = stmt(
        "SELECT chat_key, chat_id FROM chats WHERE deleted=0 AND hidden=0 AND "
        "(?1 IS NULL OR COALESCE(since_seq, 0) <= ?1)");
    if (c.after_seq) q.bind(1, *c.after_seq);
    while (q.executeStep()) {
      std::string id = q.getColumn(1).getString();
      if (!pass.count(id)) vanished.emplace_back(q.getColumn(0).getInt64(), id);
    }
  }
  for (const auto& [key, id] : vanished) {
    auto& u = stmt("UPDATE chats SET hidden=1 WHERE chat_key=?");
    u.bind(1, key);
    u.exec();
    info.chat_list_changed = true;
    info.changed_chats.insert(id);
    fail_outbox_of_left_chat(key, info);
  }
}

void Applier::apply_members(const MembersPage& m, CommitInfo& info) {
  auto ch = chat(m.chat_id, true, &info);
  if (ch->deleted) return;
  info.changed_chats.insert(m.chat_id);
  // Memberships a live join or leave asserted after the request went out are newer than the
  // page: they stay as they are.
  auto& clear = stmt(
      "UPDATE members SET present=0 WHERE chat_key=?1 AND (?2 IS NULL OR "
      "COALESCE(since_seq, 0) <= ?2)");
  clear.bind(1, ch->key);
  if (m.after_seq) clear.bind(2, *m.after_seq);
  clear.exec();
  for (const auto& u : m.users.users) {
    std::int64_t key = user_key(u.user_id);
    auto& up = stmt(
        "INSERT INTO members(chat_key, user_key, username, present) VALUES(?1,?2,?3,1) "
        "ON CONFLICT(chat_key, user_key) DO UPDATE SET username=excluded.username, "
        "present=CASE WHEN ?4 IS NOT NULL AND COALESCE(since_seq, 0) > ?4 THEN present ELSE 1 END");
    up.bind(1, ch->key);
    up.bind(2, key);
    up.bind(3, u.username);
    if (m.after_seq) up.bind(4, *m.after_seq);
    up.exec();
    // The list holds the server's pointer as it was when it was answered: reads held for
    // messages not known yet that came before the request are part of it (or were undone by a
    // removal since), and with no pointer listed (a member added back starts afresh), the one
    // set before the request goes too. What live events set after the request stays.
    drop_member_reads(ch->key, key, m.after_seq, !u.last_seen_message);
    if (u.last_seen_message) on_listed_read(*ch, key, *u.last_seen_message, m.after_seq);
  }
}

}  // namespace whisp::store
