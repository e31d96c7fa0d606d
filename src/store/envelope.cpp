#include "store/envelope.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace whisp::store {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using Value = rapidjson::Value;

void str(Writer& w, const std::string& s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
void opt_str(Writer& w, const std::optional<std::string>& s) {
  if (s) {
    str(w, *s);
  } else {
    w.Null();
  }
}
void raw(Writer& w, const std::string& json) {
  w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
}

void write_target(Writer& w, const char* name, const Target& t) {
  w.Key(name);
  w.StartObject();
  w.Key("messageId"); opt_str(w, t.message_id);
  w.Key("localId"); opt_str(w, t.local_id);
  w.EndObject();
}

struct IntentWriter {
  Writer& w;
  void operator()(const intent::Send& i) {
    w.Key("kind"); w.String("send");
    w.Key("chatId"); str(w, i.chat_id);
    w.Key("text"); str(w, i.text);
  }
  void operator()(const intent::Reply& i) {
    w.Key("kind"); w.String("reply");
    w.Key("chatId"); str(w, i.chat_id);
    write_target(w, "target", i.parent);
    w.Key("text"); str(w, i.text);
  }
  void operator()(const intent::Edit& i) {
    w.Key("kind"); w.String("edit");
    w.Key("chatId"); str(w, i.chat_id);
    write_target(w, "target", i.target);
    w.Key("text"); str(w, i.text);
  }
  void operator()(const intent::Delete& i) {
    w.Key("kind"); w.String("delete");
    w.Key("chatId"); str(w, i.chat_id);
    write_target(w, "target", i.target);
  }
  void operator()(const intent::React& i) {
    w.Key("kind"); w.String("react");
    w.Key("chatId"); str(w, i.chat_id);
    write_target(w, "target", i.target);
    w.Key("emoji"); str(w, i.emoji);
  }
  void operator()(const intent::Unreact& i) {
    w.Key("kind"); w.String("unreact");
    w.Key("chatId"); str(w, i.chat_id);
    write_target(w, "target", i.reaction);
  }
  void operator()(const intent::MarkRead& i) {
    w.Key("kind"); w.String("read");
    w.Key("chatId"); str(w, i.chat_id);
    w.Key("messageId"); str(w, i.message_id);
  }
};

const char* state_name(OutboxTransition::State s) {
  switch (s) {
    case OutboxTransition::State::sent: return "sent";
    case OutboxTransition::State::failed: return "failed";
    case OutboxTransition::State::resend: return "resend";
    case OutboxTransition::State::lost: return "lost";
    case OutboxTransition::State::unconfirmed: return "unconfirmed";
  }
  return "sent";
}

struct EntryWriter {
  Writer& w;
  void operator()(const LiveEvent&) {}
  void after(const std::optional<std::int64_t>& seq) {
    if (!seq) return;
    w.Key("afterSeq");
    w.Int64(*seq);
  }
  void operator()(const HistoryPage& h) {
    w.Key("entry"); w.String("history");
    after(h.after_seq);
    w.Key("chatId"); str(w, h.chat_id);
    w.Key("before"); opt_str(w, h.before);
    w.Key("size"); w.Int(h.size);
    w.Key("page"); raw(w, rest::encode(h.page));
  }
  void operator()(const ChatsPage& c) {
    w.Key("entry"); w.String("chats");
    after(c.after_seq);
    w.Key("page"); w.Int(c.page);
    w.Key("size"); w.Int(c.size);
    w.Key("complete"); w.Bool(c.complete);
    w.Key("passChatIds");
    w.StartArray();
    for (const auto& id : c.pass_chat_ids) str(w, id);
    w.EndArray();
    w.Key("list"); raw(w, rest::encode(c.chats));
  }
  void operator()(const MembersPage& m) {
    w.Key("entry"); w.String("members");
    after(m.after_seq);
    w.Key("chatId"); str(w, m.chat_id);
    w.Key("list"); raw(w, rest::encode(m.users));
  }
  void operator()(const LocalIntent& i) {
    w.Key("entry"); w.String("intent");
    w.Key("localId"); str(w, i.local_id);
    w.Key("madeAt"); str(w, i.made_at.text);
    std::visit(IntentWriter{w}, i.what);
  }
  void operator()(const OutboxTransition& t) {
    w.Key("entry"); w.String("outbox");
    w.Key("localId"); str(w, t.local_id);
    w.Key("state"); w.String(state_name(t.state));
    w.Key("reason"); str(w, t.reason);
  }
};

// ---- decoding ----

struct Reader {
  const Value& obj;
  const char* kind;

  Error err(ErrorCode code, const std::string& field, const std::string& reason) const {
    return Error{code, std::string(kind) + "." + field + ": " + reason};
  }
  const Value* find(const char* name) const {
    auto it = obj.FindMember(name);
    return it == obj.MemberEnd() ? nullptr : &it->value;
  }
  Result<std::string> string(const char* name) const {
    const Value* v = find(name);
    if (!v) return err(ErrorCode::missing_field, name, "missing");
    if (!v->IsString()) return err(ErrorCode::wrong_type, name, "expected string");
    return std::string(v->GetString(), v->GetStringLength());
  }
  Result<std::optional<std::string>> opt_string(const char* name) const {
    const Value* v = find(name);
    if (!v || v->IsNull()) return std::optional<std::string>{};
    if (!v->IsString()) return err(ErrorCode::wrong_type, name, "expected string or null");
    return std::optional<std::string>(std::string(v->GetString(), v->GetStringLength()));
  }
  Result<std::optional<std::int64_t>> opt_seq(const char* name) const {
    const Value* v = find(name);
    if (!v || v->IsNull()) return std::optional<std::int64_t>{};
    if (!v->IsInt64() || v->GetInt64() < 0) {
      return err(ErrorCode::wrong_type, name, "expected a non-negative integer");
    }
    return std::optional<std::int64_t>(v->GetInt64());
  }
  Result<int> integer(const char* name) const {
    const Value* v = find(name);
    if (!v) return err(ErrorCode::missing_field, name, "missing");
    if (!v->IsInt()) return err(ErrorCode::wrong_type, name, "expected integer");
    return v->GetInt();
  }
  Result<bool> boolean(const char* name) const {
    const Value* v = find(name);
    if (!v) return err(ErrorCode::missing_field, name, "missing");
    if (!v->IsBool()) return err(ErrorCode::wrong_type, name, "expected boolean");
    return v->GetBool();
  }
  Result<std::string> object_text(const char* name) const {
    const Value* v = find(name);
    if (!v) return err(ErrorCode::missing_field, name, "missing");
    if (!v->IsObject()) return err(ErrorCode::wrong_type, name, "expected object");
    rapidjson::StringBuffer b;
    Writer w(b);
    v->Accept(w);
    return std::string(b.GetString(), b.GetSize());
  }
  Result<Target> target(const char* name) const {
    const Value* v = find(name);
    if (!v) return err(ErrorCode::missing_field, name, "missing");
    if (!v->IsObject()) return err(ErrorCode::wrong_type, name, "expected object");
    Reader sub{*v, kind};
    auto id = sub.opt_string("messageId");
    if (!id) return err(id.error().code, std::string(name) + ".messageId", "expected string or null");
    auto local = sub.opt_string("localId");
    if (!local) return err(local.error().code, std::string(name) + ".localId", "expected string or null");
    if (!id->has_value() && !local->has_value()) {
      return err(ErrorCode::missing_field, name, "needs messageId or localId");
    }
    return Target{*id, *local};
  }
};

#define WHISP_TRY(var, expr)                 \
  auto var##_r = (expr);                     \
  if (!var##_r) return var##_r.error();      \
  auto var = std::move(*var##_r)

Error nested(const char* kind, const char* field, const Error& e) {
  return Error{e.code, std::string(kind) + "." + field + ": " + e.message};
}

Result<LogEntry> decode_history(const Reader& r) {
  HistoryPage h;
  WHISP_TRY(after, r.opt_seq("afterSeq"));
  h.after_seq = after;
  WHISP_TRY(chat, r.string("chatId"));
  WHISP_TRY(before, r.opt_string("before"));
  WHISP_TRY(size, r.integer("size"));
  WHISP_TRY(page, r.object_text("page"));
  auto list = rest::decode_message_list(page);
  if (!list) return nested(r.kind, "page", list.error());
  h.chat_id = std::move(chat);
  h.before = std::move(before);
  h.size = size;
  h.page = std::move(*list);
  return LogEntry{std::move(h)};
}

Result<LogEntry> decode_chats(const Reader& r) {
  ChatsPage c;
  WHISP_TRY(after, r.opt_seq("afterSeq"));
  c.after_seq = after;
  WHISP_TRY(page, r.integer("page"));
  WHISP_TRY(size, r.integer("size"));
  WHISP_TRY(complete, r.boolean("complete"));
  const Value* ids = r.find("passChatIds");
  if (ids) {
    if (!ids->IsArray()) return r.err(ErrorCode::wrong_type, "passChatIds", "expected array");
    for (const auto& v : ids->GetArray()) {
      if (!v.IsString()) return r.err(ErrorCode::wrong_type, "passChatIds[]", "expected string");
      c.pass_chat_ids.emplace_back(v.GetString(), v.GetStringLength());
    }
  }
  WHISP_TRY(list_text, r.object_text("list"));
  auto list = rest::decode_chat_list(list_text);
  if (!list) return nested(r.kind, "list", list.error());
  c.page = page;
  c.size = size;
  c.complete = complete;
  c.chats = std::move(*list);
  return LogEntry{std::move(c)};
}

Result<LogEntry> decode_members(const Reader& r) {
  MembersPage m;
  WHISP_TRY(after, r.opt_seq("afterSeq"));
  m.after_seq = after;
  WHISP_TRY(chat, r.string("chatId"));
  WHISP_TRY(list_text, r.object_text("list"));
  auto list = rest::decode_user_list(list_text);
  if (!list) return nested(r.kind, "list", list.error());
  m.chat_id = std::move(chat);
  m.users = std::move(*list);
  return LogEntry{std::move(m)};
}

Result<LogEntry> decode_intent(const Reader& r) {
  LocalIntent i;
  WHISP_TRY(local, r.string("localId"));
  WHISP_TRY(made_text, r.string("madeAt"));
  auto made = parse_timestamp(made_text);
  if (!made) return r.err(ErrorCode::invalid_value, "madeAt", made.error().message);
  WHISP_TRY(kind, r.string("kind"));
  WHISP_TRY(chat, r.string("chatId"));
  i.local_id = std::move(local);
  i.made_at = std::move(*made);
  if (kind == "send") {
    WHISP_TRY(text, r.string("text"));
    i.what = intent::Send{chat, text};
  } else if (kind == "reply") {
    WHISP_TRY(t, r.target("target"));
    WHISP_TRY(text, r.string("text"));
    i.what = intent::Reply{chat, t, text};
  } else if (kind == "edit") {
    WHISP_TRY(t, r.target("target"));
    WHISP_TRY(text, r.string("text"));
    i.what = intent::Edit{chat, t, text};
  } else if (kind == "delete") {
    WHISP_TRY(t, r.target("target"));
    i.what = intent::Delete{chat, t};
  } else if (kind == "react") {
    WHISP_TRY(t, r.target("target"));
    WHISP_TRY(emoji, r.string("emoji"));
    i.what = intent::React{chat, t, emoji};
  } else if (kind == "unreact") {
    WHISP_TRY(t, r.target("target"));
    i.what = intent::Unreact{chat, t};
  } else if (kind == "read") {
    WHISP_TRY(id, r.string("messageId"));
    i.what = intent::MarkRead{chat, id};
  } else {
    return r.err(ErrorCode::invalid_value, "kind", "unknown intent kind \"" + kind + "\"");
  }
  return LogEntry{std::move(i)};
}

Result<LogEntry> decode_outbox(const Reader& r) {
  OutboxTransition t;
  WHISP_TRY(local, r.string("localId"));
  WHISP_TRY(state, r.string("state"));
  WHISP_TRY(reason, r.opt_string("reason"));
  if (state == "sent") {
    t.state = OutboxTransition::State::sent;
  } else if (state == "failed") {
    t.state = OutboxTransition::State::failed;
  } else if (state == "resend") {
    t.state = OutboxTransition::State::resend;
  } else if (state == "lost") {
    t.state = OutboxTransition::State::lost;
  } else if (state == "unconfirmed") {
    t.state = OutboxTransition::State::unconfirmed;
  } else {
    return r.err(ErrorCode::invalid_value, "state", "unknown state \"" + state + "\"");
  }
  t.local_id = std::move(local);
  t.reason = reason.value_or("");
  return LogEntry{std::move(t)};
}

#undef WHISP_TRY

}  // namespace

std::string encode_entry(const LogEntry& entry) {
  if (const auto* live = std::get_if<LiveEvent>(&entry)) return live->json;
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  std::visit(EntryWriter{w}, entry);
  w.EndObject();
  return std::string(b.GetString(), b.GetSize());
}

Result<LogEntry> decode_entry(std::string_view line) {
  // Fast path: a line without the envelope marker can only be a bare event (parsed once).
  if (line.find("\"entry\"") == std::string_view::npos) {
    auto ev = decode_event(line);
    if (!ev) return ev.error();
    return LogEntry{LiveEvent{std::string(line), std::move(*ev)}};
  }
  rapidjson::Document doc;
  constexpr unsigned flags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  doc.Parse<flags>(line.data(), line.size());
  if (doc.HasParseError()) {
    return Error{ErrorCode::malformed_json,
                 "parse error at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
                     rapidjson::GetParseError_En(doc.GetParseError())};
  }
  if (!doc.IsObject()) return Error{ErrorCode::malformed_json, "not a JSON object"};
  auto it = doc.FindMember("entry");
  if (it == doc.MemberEnd()) {
    if (!doc.HasMember("type")) {
      return Error{ErrorCode::missing_field, "line: neither an event (type) nor an envelope (entry)"};
    }
    auto ev = decode_event(line);
    if (!ev) return ev.error();
    return LogEntry{LiveEvent{std::string(line), std::move(*ev)}};
  }
  if (!it->value.IsString()) return Error{ErrorCode::wrong_type, "entry: expected string"};
  std::string kind(it->value.GetString(), it->value.GetStringLength());
  if (kind == "history") return decode_history(Reader{doc, "history"});
  if (kind == "chats") return decode_chats(Reader{doc, "chats"});
  if (kind == "members") return decode_members(Reader{doc, "members"});
  if (kind == "intent") return decode_intent(Reader{doc, "intent"});
  if (kind == "outbox") return decode_outbox(Reader{doc, "outbox"});
  return Error{ErrorCode::invalid_value, "entry: unknown kind \"" + kind + "\""};
}

}  // namespace whisp::store
