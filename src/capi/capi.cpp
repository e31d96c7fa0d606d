// The C API (include/whisp/whisp.h) over whisp::Engine. No exception leaves this file: every
// entry point catches at the edge and reports WHISP_ERR_* with a message.
#include "whisp/whisp.h"

#include <rapidjson/document.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "capi/config_json.hpp"
#include "capi/event_json.hpp"
#include "capi/subscriptions.hpp"
#include "whisp/engine.hpp"

struct whisp_engine {
  // Declared before the engine, so the engine (whose thread calls into them) stops first.
  std::unique_ptr<whisp::capi::ChatSubscriptions> subscriptions;
  std::unique_ptr<whisp::Engine> engine;
  std::atomic<bool> closed{false};  // after logout: only whisp_engine_free is allowed
};

namespace {

using whisp::Error;
using whisp::ErrorCode;
using whisp::ItemRef;

char* dup(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out != nullptr) std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}

void set(char** out, const std::string& s) {
  if (out != nullptr) *out = dup(s);
}

whisp_status status_of(ErrorCode code) { return static_cast<whisp_status>(static_cast<int>(code) + 1); }

whisp_status report(const Error& e, char** out_error) {
  set(out_error, e.message);
  return status_of(e.code);
}

whisp_status invalid(const char* what, char** out_error) {
  return report(Error{ErrorCode::invalid_argument, what}, out_error);
}

/// Runs `fn` (which returns whisp_status) on a live engine, with the out-parameters cleared
/// first and exceptions turned into statuses.
template <class Fn>
whisp_status guarded(whisp_engine* h, char** out_error, std::initializer_list<char**> outs, Fn fn) {
  if (out_error != nullptr) *out_error = nullptr;
  for (char** o : outs) {
    if (o != nullptr) *o = nullptr;
  }
  if (h == nullptr || !h->engine) return invalid("engine: the handle is NULL", out_error);
  if (h->closed.load()) return report(Error{ErrorCode::closed, "engine: logged out"}, out_error);
  try {
    return fn(*h->engine);
  } catch (const std::exception& e) {
    return report(Error{ErrorCode::io_error, std::string("engine: ") + e.what()}, out_error);
  } catch (...) {
    return report(Error{ErrorCode::io_error, "engine: unknown failure"}, out_error);
  }
}

bool present(const char* s) { return s != nullptr && *s != '\0'; }

ItemRef ref(const char* id, int is_local) {
  return is_local != 0 ? ItemRef::local_id(id) : ItemRef::server(id);
}

whisp_status with_string(const whisp::Result<std::string>& r, char** out, char** out_error) {
  if (!r) return report(r.error(), out_error);
  set(out, *r);
  return WHISP_OK;
}

whisp_status with_status(const whisp::Status& s, char** out_error) {
  return s ? WHISP_OK : report(s.error(), out_error);
}

whisp_status with_rest(const whisp::Result<std::string>& r, char** out, char** out_error) {
  if (!r) return report(r.error(), out_error);
  set(out, r->find_first_not_of(" \t\r\n") == std::string::npos ? std::string("{}") : *r);
  return WHISP_OK;
}

}  // namespace

extern "C" {

const char* whisp_version(void) { return "0.1.0"; }

void whisp_string_free(char* s) { std::free(s); }

whisp_status whisp_engine_start(const char* config_json, whisp_callback callback, void* user_data,
                                whisp_engine** out_engine, char** out_error) {
  if (out_error != nullptr) *out_error = nullptr;
  if (out_engine == nullptr) return invalid("out_engine: must not be NULL", out_error);
  *out_engine = nullptr;
  if (config_json == nullptr) return invalid("config_json: must not be NULL", out_error);
  try {
    auto config = whisp::capi::parse_config(config_json);
    if (!config) return report(config.error(), out_error);
    auto handle = std::make_unique<whisp_engine>();
    whisp_engine* h = handle.get();
    handle->subscriptions = std::make_unique<whisp::capi::ChatSubscriptions>(
        [h](const std::string& chat_id) { return h->engine->snapshot_json(chat_id); });
    whisp::Callbacks cbs;
    cbs.on_change = [h, callback, user_data](const whisp::Change& c) {
      h->subscriptions->on_change(c);
      if (callback != nullptr) {
        callback(user_data, WHISP_EVENT_CHANGED, whisp::capi::change_json(c).c_str());
      }
    };
    if (callback != nullptr) {
      cbs.on_connection = [callback, user_data](const whisp::ConnectionEvent& e) {
        callback(user_data, WHISP_EVENT_CONNECTION, whisp::capi::connection_json(e).c_str());
      };
      cbs.on_error = [callback, user_data](const whisp::Error& e) {
        callback(user_data, WHISP_EVENT_ERROR, whisp::capi::error_json(e).c_str());
      };
      cbs.on_tokens = [callback, user_data](const whisp::Tokens& t) {
        callback(user_data, WHISP_EVENT_TOKENS, whisp::capi::tokens_json(t).c_str());
      };
    }
    auto engine = whisp::Engine::start(std::move(*config), std::move(cbs));
    if (!engine) return report(engine.error(), out_error);
    handle->engine = std::move(*engine);
    *out_engine = handle.release();
    return WHISP_OK;
  } catch (const std::exception& e) {
    return report(Error{ErrorCode::io_error, std::string("engine: ") + e.what()}, out_error);
  } catch (...) {
    return report(Error{ErrorCode::io_error, "engine: unknown failure"}, out_error);
  }
}

void whisp_engine_free(whisp_engine* engine) {
  try {
    delete engine;
  } catch (...) {  // a destructor that throws would end the process; nothing else to do
  }
}

char* whisp_user_id(const whisp_engine* engine) {
  if (engine == nullptr || !engine->engine) return nullptr;
  return dup(engine->engine->user_id());
}

whisp_status whisp_snapshot(whisp_engine* h, const char* chat_id, char** out_json, char** out_error) {
  return guarded(h, out_error, {out_json}, [&](whisp::Engine& e) {
    std::optional<std::string> chat;
    if (chat_id != nullptr) chat = std::string(chat_id);
    return with_string(e.snapshot_json(chat), out_json, out_error);
  });
}

whisp_status whisp_load_older(whisp_engine* h, const char* chat_id, int count, int* out_loaded,
                              char** out_error) {
  if (out_loaded != nullptr) *out_loaded = 0;
  return guarded(h, out_error, {}, [&](whisp::Engine& e) {
    if (!present(chat_id)) return invalid("chat_id: must not be empty", out_error);
    if (count <= 0) return invalid("count: must be positive", out_error);
    auto r = e.load_older(chat_id, count);
    if (!r) return report(r.error(), out_error);
    if (out_loaded != nullptr) *out_loaded = *r;
    return WHISP_OK;
  });
}

whisp_status whisp_send_message(whisp_engine* h, const char* chat_id, const char* text,
                                char** out_local_id, char** out_error) {
  return guarded(h, out_error, {out_local_id}, [&](whisp::Engine& e) {
    if (!present(chat_id) || text == nullptr) return invalid("chat_id, text: required", out_error);
    return with_string(e.send_message(chat_id, text), out_local_id, out_error);
  });
}

whisp_status whisp_reply(whisp_engine* h, const char* chat_id, const char* parent_id,
                         int parent_is_local, const char* text, char** out_local_id,
                         char** out_error) {
  return guarded(h, out_error, {out_local_id}, [&](whisp::Engine& e) {
    if (!present(chat_id) || !present(parent_id) || text == nullptr) {
      return invalid("chat_id, parent_id, text: required", out_error);
    }
    return with_string(e.reply(chat_id, ref(parent_id, parent_is_local), text), out_local_id,
                       out_error);
  });
}

whisp_status whisp_edit_message(whisp_engine* h, const char* chat_id, const char* message_id,
                                int is_local, const char* text, char** out_error) {
  return guarded(h, out_error, {}, [&](whisp::Engine& e) {
    if (!present(chat_id) || !present(message_id) || text == nullptr) {
      return invalid("chat_id, message_id, text: required", out_error);
    }
    return with_status(e.edit_message(chat_id, ref(message_id, is_local), text), out_error);
  });
}

whisp_status whisp_delete_message(whisp_engine* h, const char* chat_id, const char* message_id,
                                  int is_local, char** out_error) {
  return guarded(h, out_error, {}, [&](whisp::Engine& e) {
    if (!present(chat_id) || !present(message_id)) {
      return invalid("chat_id, message_id: required", out_error);
    }
    return with_status(e.delete_message(chat_id, ref(message_id, is_local)), out_error);
  });
}

whisp_status whisp_react(whisp_engine* h, const char* chat_id, const char* message_id,
                         int is_local, const char* emoji, char** out_local_id, char** out_error) {
  return guarded(h, out_error, {out_local_id}, [&](whisp::Engine& e) {
    if (!present(chat_id) || !present(message_id) || !present(emoji)) {
      return invalid("chat_id, message_id, emoji: required", out_error);
    }
    return with_string(e.react(chat_id, ref(message_id, is_local), emoji), out_local_id,
                       out_error);
  });
}

whisp_status whisp_unreact(whisp_engine* h, const char* chat_id, const char* reaction_id,
                           int is_local, char** out_error) {
  return guarded(h, out_error, {}, [&](whisp::Engine& e) {
    if (!present(chat_id) || !present(reaction_id)) {
      return invalid("chat_id, reaction_id: required", out_error);
    }
    return with_status(e.unreact(chat_id, ref(reaction_id, is_local)), out_error);
  });
}

whisp_status whisp_mark_read(whisp_engine* h, const char* chat_id, const char* message_id,
                             char** out_error) {
  return guarded(h, out_error, {}, [&](whisp::Engine& e) {
    if (!present(chat_id) || !present(message_id)) {
      return invalid("chat_id, message_id: required", out_error);
    }
    return with_status(e.mark_read(chat_id, message_id), out_error);
  });
}

whisp_status whisp_typing(whisp_engine* h, const char* chat_id, char** out_error) {
  return guarded(h, out_error, {}, [&](whisp::Engine& e) {
    if (!present(chat_id)) return invalid("chat_id: required", out_error);
    return with_status(e.typing(chat_id), out_error);
  });
}

whisp_status whisp_create_chat(whisp_engine* h, const char* name, const char* user_names_json,
                               char** out_json, char** out_error) {
  return guarded(h, out_error, {out_json}, [&](whisp::Engine& e) {
    if (!present(name) || user_names_json == nullptr) {
      return invalid("name, user_names_json: required", out_error);
    }
    rapidjson::Document d;
    d.Parse(user_names_json);
    if (d.HasParseError() || !d.IsArray() || d.Empty()) {
      return invalid("user_names_json: must be a non-empty JSON array of strings", out_error);
    }
    std::vector<std::string> names;
    for (const auto& v : d.GetArray()) {
      if (!v.IsString()) return invalid("user_names_json: must hold strings only", out_error);
      names.emplace_back(v.GetString(), v.GetStringLength());
    }
    return with_rest(e.create_chat(name, names), out_json, out_error);
  });
}

whisp_status whisp_add_user(whisp_engine* h, const char* chat_id, const char* username,
                            char** out_json, char** out_error) {
  return guarded(h, out_error, {out_json}, [&](whisp::Engine& e) {
    if (!present(chat_id) || !present(username)) return invalid("chat_id, username: required", out_error);
    return with_rest(e.add_user(chat_id, username), out_json, out_error);
  });
}

whisp_status whisp_remove_user(whisp_engine* h, const char* chat_id, const char* user_id,
                               char** out_json, char** out_error) {
  return guarded(h, out_error, {out_json}, [&](whisp::Engine& e) {
    if (!present(chat_id) || !present(user_id)) return invalid("chat_id, user_id: required", out_error);
    return with_rest(e.remove_user(chat_id, user_id), out_json, out_error);
  });
}

whisp_status whisp_rename_chat(whisp_engine* h, const char* chat_id, const char* name,
                               char** out_json, char** out_error) {
  return guarded(h, out_error, {out_json}, [&](whisp::Engine& e) {
    if (!present(chat_id) || !present(name)) return invalid("chat_id, name: required", out_error);
    return with_rest(e.rename_chat(chat_id, name), out_json, out_error);
  });
}

whisp_status whisp_delete_chat(whisp_engine* h, const char* chat_id, char** out_json,
                               char** out_error) {
  return guarded(h, out_error, {out_json}, [&](whisp::Engine& e) {
    if (!present(chat_id)) return invalid("chat_id: required", out_error);
    return with_rest(e.delete_chat(chat_id), out_json, out_error);
  });
}

whisp_status whisp_subscribe_chat(whisp_engine* h, const char* chat_id, whisp_chat_callback callback,
                                  void* user_data, uint64_t* out_subscription, char** out_error) {
  if (out_subscription != nullptr) *out_subscription = 0;
  return guarded(h, out_error, {}, [&](whisp::Engine&) {
    if (!present(chat_id)) return invalid("chat_id: required", out_error);
    auto id = h->subscriptions->subscribe(chat_id, callback, user_data);
    if (!id) return report(id.error(), out_error);
    if (out_subscription != nullptr) *out_subscription = *id;
    return WHISP_OK;
  });
}

void whisp_unsubscribe(whisp_engine* h, uint64_t subscription) {
  if (h != nullptr && h->subscriptions) h->subscriptions->unsubscribe(subscription);
}

void whisp_go_offline(whisp_engine* h) {
  if (h != nullptr && h->engine && !h->closed.load()) h->engine->go_offline();
}

void whisp_go_online(whisp_engine* h) {
  if (h != nullptr && h->engine && !h->closed.load()) h->engine->go_online();
}

int whisp_wait_idle(whisp_engine* h, int64_t timeout_ms) {
  if (h == nullptr || !h->engine || h->closed.load() || timeout_ms < 0) return 0;
  return h->engine->wait_idle(std::chrono::milliseconds(timeout_ms)) ? 1 : 0;
}

whisp_status whisp_engine_logout(whisp_engine* h, int erase_store, char** out_error) {
  return guarded(h, out_error, {}, [&](whisp::Engine& e) {
    h->closed.store(true);
    return with_status(e.logout(erase_store != 0), out_error);
  });
}

}  // extern "C"
