#include "rpc_session.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <functional>
#include <limits>
#include <map>

#include "rpc_params.hpp"

namespace whisp::cli {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

struct Failure {
  int code = rpc_error::engine_error;
  std::string message;
  std::optional<std::string> data_code;  // the whisp::ErrorCode name of an engine failure
};

/// A handler's outcome: raw JSON of the result, or a failure.
struct Outcome {
  std::string result_json;
  std::optional<Failure> failure;
};

Outcome fail(int code, std::string message) { return {{}, Failure{code, std::move(message), {}}}; }

Outcome engine_failure(const Error& e) {
  const bool params = e.code == ErrorCode::invalid_argument || e.code == ErrorCode::not_found;
  return {{}, Failure{params ? rpc_error::invalid_params : rpc_error::engine_error, e.message,
                      std::string(to_string(e.code))}};
}

std::string json_string(const std::string& s) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return buf.GetString();
}

bool is_json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  return !d.HasParseError();
}

Outcome empty(const Status& s) { return s ? Outcome{"{}", {}} : engine_failure(s.error()); }

Outcome with_local_id(const Result<std::string>& r) {
  if (!r) return engine_failure(r.error());
  return {"{\"localId\":" + json_string(*r) + "}", {}};
}

/// A REST body as the result: its JSON, `{}` when there is none, a JSON string otherwise.
Outcome rest(const Result<std::string>& r) {
  if (!r) return engine_failure(r.error());
  if (r->find_first_not_of(" \t\r\n") == std::string::npos) return {"{}", {}};
  if (is_json(*r)) return {*r, {}};
  return {json_string(*r), {}};
}

using Handler = std::function<Outcome(RpcBackend&, RpcParams&)>;

/// Every handler reads all its params, then checks them before touching the backend.
#define WHISP_CHECK_PARAMS(p)                                          \
  if (auto problem = (p).finish()) return fail(rpc_error::invalid_params, *problem)

const std::map<std::string, Handler>& handlers() {
  static const std::map<std::string, Handler> table = {
      {"sendMessage",
       [](RpcBackend& b, RpcParams& p) {
         auto chat = p.str("chatId");
         auto text = p.text("text");
         WHISP_CHECK_PARAMS(p);
         return with_local_id(b.send_message(chat, text));
       }},
      {"reply",
       [](RpcBackend& b, RpcParams& p) {
         auto chat = p.str("chatId");
         auto parent = p.ref("messageId");
         auto text = p.text("text");
         WHISP_CHECK_PARAMS(p);
         return with_local_id(b.reply(chat, parent, text));
       }},
      {"editMessage",
       [](RpcBackend& b, RpcParams& p) {
         auto chat = p.str("chatId");
         auto target = p.ref("messageId");
         auto text = p.text("text");
         WHISP_CHECK_PARAMS(p);
         return empty(b.edit_message(chat, target, text));
       }},
      {"deleteMessage",
       [](RpcBackend& b, RpcParams& p) {
         auto chat = p.str("chatId");
         auto target = p.ref("messageId");
         WHISP_CHECK_PARAMS(p);
         return empty(b.delete_message(chat, target));
       }},
      {"react",
       [](RpcBackend& b, RpcParams& p) {
         auto chat = p.str("chatId");
         auto target = p.ref("messageId");
         auto emoji = p.str("emoji");
         WHISP_CHECK_PARAMS(p);
         return with_local_id(b.react(chat, target, emoji));
       }},
      {"unreact",
       [](RpcBackend& b, RpcParams& p) {
         auto chat = p.str("chatId");
         auto target = p.ref("reactionId");
         WHISP_CHECK_PARAMS(p);
         return empty(b.unreact(chat, target));
       }},
      {"markRead",
       [](RpcBackend& b, RpcParams& p) {
         auto chat = p.str("chatId");
         auto message = p.str("messageId");
         WHISP_CHECK_PARAMS(p);
         return empty(b.mark_read(chat, message));
       }},
      {"typing",
       [](RpcBackend& b, RpcParams& p) {
         auto chat = p.str("chatId");
         WHISP_CHECK_PARAMS(p);
         return empty(b.typing(chat));
       }},
      {"createChat",
       [](RpcBackend& b, RpcParams& p) {
         auto name = p.str("chatName");
         auto users = p.str_array("userNames");
         WHISP_CHECK_PARAMS(p);
         return rest(b.create_chat(name, users));
       }},
      {"addUser",
       [](RpcBackend& b, RpcParams& p) {
         auto chat = p.str("chatId");
         auto user = p.str("newUsername");
         WHISP_CHECK_PARAMS(p);
         return rest(b.add_user(chat, user));
       }},
      {"removeUser",
       [](RpcBackend& b, RpcParams& p) {
         auto chat = p.str("chatId");
         auto user = p.str("removeUser");
         WHISP_CHECK_PARAMS(p);
         return rest(b.remove_user(chat, user));
       }},
      {"renameChat",
       [](RpcBackend& b, RpcParams& p) {
         auto chat = p.str("chatId");
         auto name = p.str("newChatName");
         WHISP_CHECK_PARAMS(p);
         return rest(b.rename_chat(chat, name));
       }},
      {"deleteChat",
       [](RpcBackend& b, RpcParams& p) {
         auto chat = p.str("chatId");
         WHISP_CHECK_PARAMS(p);
         return rest(b.delete_chat(chat));
       }},
      {"snapshot",
       [](RpcBackend& b, RpcParams& p) {
         auto chat = p.opt_str("chatId");
         WHISP_CHECK_PARAMS(p);
         auto r = b.snapshot_json(chat);
         if (!r) return engine_failure(r.error());
         if (!is_json(*r)) {
           return fail(rpc_error::engine_error, "the engine produced a snapshot that is not JSON");
         }
         return Outcome{std::move(*r), {}};
       }},
      {"loadOlder",
       [](RpcBackend& b, RpcParams& p) {
         auto chat = p.str("chatId");
         auto count = p.integer("count", 1, 100000);
         WHISP_CHECK_PARAMS(p);
         auto r = b.load_older(chat, static_cast<int>(count));
         if (!r) return engine_failure(r.error());
         return Outcome{"{\"loaded\":" + std::to_string(*r) + "}", {}};
       }},
      {"goOffline",
       [](RpcBackend& b, RpcParams& p) {
         WHISP_CHECK_PARAMS(p);
         b.go_offline();
         return Outcome{"{}", {}};
       }},
      {"goOnline",
       [](RpcBackend& b, RpcParams& p) {
         WHISP_CHECK_PARAMS(p);
         b.go_online();
         return Outcome{"{}", {}};
       }},
      {"waitIdle",
       [](RpcBackend& b, RpcParams& p) {
         // At most a day: long enough for any test, short of overflowing the clock.
         auto ms = p.integer("timeoutMs", 0, 24LL * 3600 * 1000);
         WHISP_CHECK_PARAMS(p);
         bool idle = b.wait_idle(std::chrono::milliseconds(ms));
         return Outcome{idle ? "{\"idle\":true}" : "{\"idle\":false}", {}};
       }},
  };
  return table;
}

#undef WHISP_CHECK_PARAMS

void write_id(Writer& w, const rapidjson::Value* id) {
  if (id == nullptr) {
    w.Null();
  } else {
    id->Accept(w);
  }
}

std::string error_line(const rapidjson::Value* id, const Failure& f) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("jsonrpc");
  w.String("2.0");
  w.Key("id");
  write_id(w, id);
  w.Key("error");
  w.StartObject();
  w.Key("code");
  w.Int(f.code);
  w.Key("message");
  w.String(f.message.data(), static_cast<rapidjson::SizeType>(f.message.size()));
  if (f.data_code) {
    w.Key("data");
    w.StartObject();
    w.Key("code");
    w.String(f.data_code->c_str());
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return buf.GetString();
}

std::string result_line(const rapidjson::Value* id, const std::string& result_json) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("jsonrpc");
  w.String("2.0");
  w.Key("id");
  write_id(w, id);
  w.Key("result");
  w.RawValue(result_json.data(), result_json.size(), rapidjson::kObjectType);
  w.EndObject();
  return buf.GetString();
}

}  // namespace

const std::vector<std::string>& rpc_method_names() {
  static const std::vector<std::string> names = {
      "sendMessage", "reply",      "editMessage", "deleteMessage", "react",
      "unreact",     "markRead",   "typing",      "createChat",    "addUser",
      "removeUser",  "renameChat", "deleteChat",  "snapshot",      "loadOlder",
      "goOffline",   "goOnline",   "waitIdle"};
  return names;
}

RpcSession::RpcSession(RpcBackend& backend) : backend_(backend) {}

std::optional<std::string> RpcSession::handle_line(std::string_view line) {
  if (line.find_first_not_of(" \t\r\n") == std::string_view::npos) return std::nullopt;

  rapidjson::Document doc;
  doc.Parse(line.data(), line.size());
  if (doc.HasParseError()) {
    return error_line(nullptr, Failure{rpc_error::parse_error,
                                       std::string("parse error at offset ") +
                                           std::to_string(doc.GetErrorOffset()) + ": " +
                                           rapidjson::GetParseError_En(doc.GetParseError()),
                                       {}});
  }
  if (!doc.IsObject()) {
    return error_line(nullptr, Failure{rpc_error::invalid_request,
                                       "a request must be a JSON object (batches are not supported)",
                                       {}});
  }

  const rapidjson::Value* id = nullptr;
  auto id_it = doc.FindMember("id");
  if (id_it != doc.MemberEnd()) {
    const auto& v = id_it->value;
    if (!v.IsString() && !v.IsNumber() && !v.IsNull()) {
      return error_line(nullptr, Failure{rpc_error::invalid_request,
                                         "\"id\" must be a string, a number or null", {}});
    }
    id = &v;
  }
  const bool is_notification = id_it == doc.MemberEnd();

  auto version = doc.FindMember("jsonrpc");
  if (version == doc.MemberEnd() || !version->value.IsString() ||
      std::string_view(version->value.GetString(), version->value.GetStringLength()) != "2.0") {
    return error_line(id, Failure{rpc_error::invalid_request, "\"jsonrpc\" must be \"2.0\"", {}});
  }
  auto method = doc.FindMember("method");
  if (method == doc.MemberEnd() || !method->value.IsString()) {
    return error_line(id, Failure{rpc_error::invalid_request, "\"method\" must be a string", {}});
  }
  for (const auto& m : doc.GetObject()) {
    std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (key != "jsonrpc" && key != "id" && key != "method" && key != "params") {
      return error_line(id, Failure{rpc_error::invalid_request,
                                    "unknown member \"" + std::string(key) + "\"", {}});
    }
  }

  std::string name(method->value.GetString(), method->value.GetStringLength());
  const auto& table = handlers();
  auto handler = table.find(name);
  Outcome outcome;
  if (handler == table.end()) {
    outcome = fail(rpc_error::method_not_found, "unknown method \"" + name + "\"");
  } else {
    auto params_it = doc.FindMember("params");
    RpcParams params(params_it == doc.MemberEnd() ? nullptr : &params_it->value);
    outcome = handler->second(backend_, params);
  }
  if (is_notification) return std::nullopt;
  if (outcome.failure) return error_line(id, *outcome.failure);
  return result_line(id, outcome.result_json);
}

namespace rpc_notify {

namespace {
std::string notification(const char* method, const std::function<void(Writer&)>& params) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("jsonrpc");
  w.String("2.0");
  w.Key("method");
  w.String(method);
  w.Key("params");
  w.StartObject();
  params(w);
  w.EndObject();
  w.EndObject();
  return buf.GetString();
}
}  // namespace

std::string changed(const std::optional<std::string>& chat_id, std::int64_t version) {
  return notification("changed", [&](Writer& w) {
    w.Key("chatId");
    if (chat_id) {
      w.String(chat_id->data(), static_cast<rapidjson::SizeType>(chat_id->size()));
    } else {
      w.Null();
    }
    w.Key("version");
    w.Int64(version);
  });
}

std::vector<std::string> changed_lines(const Change& change) {
  std::vector<std::string> lines;
  for (const auto& chat : change.chat_ids) lines.push_back(changed(chat, change.seq));
  if (lines.empty()) lines.push_back(changed(std::nullopt, change.seq));
  return lines;
}

std::optional<std::string> connection(const ConnectionEvent& event) {
  const char* state = nullptr;
  switch (event.state) {
    case ConnectionState::connected: state = "connected"; break;
    case ConnectionState::disconnected: state = "disconnected"; break;
    case ConnectionState::auth_failed: state = "disconnected"; break;
    case ConnectionState::reconnecting: state = "reconnecting"; break;
    case ConnectionState::connecting: return std::nullopt;
  }
  if (state == nullptr) return std::nullopt;
  return notification("connection", [&](Writer& w) {
    w.Key("state");
    w.String(state);
    if (event.state == ConnectionState::reconnecting) {
      w.Key("attempt");
      w.Int(event.attempt);
    }
  });
}

std::string error(const Error& e) {
  return notification("error", [&](Writer& w) {
    w.Key("code");
    w.String(to_string(e.code));
    w.Key("message");
    w.String(e.message.data(), static_cast<rapidjson::SizeType>(e.message.size()));
  });
}

}  // namespace rpc_notify

bool LineWriter::write_line(std::string_view line) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (failed_) return false;
  if (std::fwrite(line.data(), 1, line.size(), out_) != line.size() ||
      std::fputc('\n', out_) == EOF || std::fflush(out_) != 0) {
    failed_ = true;
  }
  return !failed_;
}

}  // namespace whisp::cli
