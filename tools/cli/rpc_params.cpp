#include "rpc_params.hpp"

#include <limits>

namespace whisp::cli {

RpcParams::RpcParams(const rapidjson::Value* params) : params_(params) {
  if (params_ != nullptr && !params_->IsObject()) {
    fail("params must be an object of named parameters");
    params_ = nullptr;
  }
}

void RpcParams::fail(std::string message) {
  if (!error_) error_ = std::move(message);
}

const rapidjson::Value* RpcParams::member(const char* name) {
  read_.insert(name);
  if (error_ || params_ == nullptr) return nullptr;
  auto it = params_->FindMember(name);
  if (it == params_->MemberEnd()) return nullptr;
  return &it->value;
}

std::string RpcParams::str(const char* name) {
  const rapidjson::Value* v = member(name);
  if (error_) return {};
  if (v == nullptr) {
    fail(std::string("missing parameter \"") + name + "\"");
    return {};
  }
  if (!v->IsString()) {
    fail(std::string("parameter \"") + name + "\" must be a string");
    return {};
  }
  if (v->GetStringLength() == 0) {
    fail(std::string("parameter \"") + name + "\" must not be empty");
    return {};
  }
  return std::string(v->GetString(), v->GetStringLength());
}

std::optional<std::string> RpcParams::opt_str(const char* name) {
  const rapidjson::Value* v = member(name);
  if (error_ || v == nullptr || v->IsNull()) return std::nullopt;
  return str(name);
}

std::string RpcParams::text(const char* name) {
  const rapidjson::Value* v = member(name);
  if (error_) return {};
  if (v == nullptr) {
    fail(std::string("missing parameter \"") + name + "\"");
    return {};
  }
  if (!v->IsString()) {
    fail(std::string("parameter \"") + name + "\" must be a string");
    return {};
  }
  return std::string(v->GetString(), v->GetStringLength());
}

ItemRef RpcParams::ref(const char* server_key) {
  const rapidjson::Value* server = member(server_key);
  const rapidjson::Value* local = member("localId");
  if (error_) return {};
  const bool has_server = server != nullptr && !server->IsNull();
  const bool has_local = local != nullptr && !local->IsNull();
  if (has_server == has_local) {
    fail(std::string("exactly one of \"") + server_key + "\" and \"localId\" is required");
    return {};
  }
  if (has_server) return ItemRef::server(str(server_key));
  return ItemRef::local_id(str("localId"));
}

std::int64_t RpcParams::integer(const char* name, std::int64_t min, std::int64_t max) {
  const rapidjson::Value* v = member(name);
  if (error_) return 0;
  if (v == nullptr) {
    fail(std::string("missing parameter \"") + name + "\"");
    return 0;
  }
  if (!v->IsInt64()) {
    fail(std::string("parameter \"") + name + "\" must be an integer");
    return 0;
  }
  const std::int64_t n = v->GetInt64();
  if (n < min || n > max) {
    fail(std::string("parameter \"") + name + "\" must be between " + std::to_string(min) +
         " and " + std::to_string(max));
    return 0;
  }
  return n;
}

std::vector<std::string> RpcParams::str_array(const char* name) {
  const rapidjson::Value* v = member(name);
  if (error_) return {};
  if (v == nullptr) {
    fail(std::string("missing parameter \"") + name + "\"");
    return {};
  }
  if (!v->IsArray() || v->Empty()) {
    fail(std::string("parameter \"") + name + "\" must be a non-empty array of strings");
    return {};
  }
  std::vector<std::string> out;
  for (const auto& item : v->GetArray()) {
    if (!item.IsString() || item.GetStringLength() == 0) {
      fail(std::string("parameter \"") + name + "\" must hold non-empty strings only");
      return {};
    }
    out.emplace_back(item.GetString(), item.GetStringLength());
  }
  return out;
}

std::optional<std::string> RpcParams::finish() {
  if (!error_ && params_ != nullptr) {
    for (const auto& m : params_->GetObject()) {
      std::string key(m.name.GetString(), m.name.GetStringLength());
      if (read_.count(key) == 0) {
        fail("unknown parameter \"" + key + "\"");
        break;
      }
    }
  }
  return error_;
}

}  // namespace whisp::cli
