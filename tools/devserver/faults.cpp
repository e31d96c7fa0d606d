#include "faults.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace whisp::devserver {

const char* to_string(RejectMode m) { return m == RejectMode::error ? "error" : "silent"; }

Result<RejectMode> parse_reject_mode(std::string_view text) {
  if (text == "silent") return RejectMode::silent;
  if (text == "error") return RejectMode::error;
  return Error{ErrorCode::invalid_value,
               "rejectMode: expected \"silent\" or \"error\", got \"" + std::string(text) + "\""};
}

namespace {
Error bad(const char* key, const char* reason) {
  return Error{ErrorCode::invalid_value, std::string(key) + ": " + reason};
}

Result<double> probability(const rapidjson::Value& v, const char* key) {
  if (!v.IsNumber()) return bad(key, "expected a number in [0, 1]");
  const double p = v.GetDouble();
  if (!(p >= 0.0 && p <= 1.0)) return bad(key, "expected a number in [0, 1]");
  return p;
}

Result<unsigned> count(const rapidjson::Value& v, const char* key) {
  if (!v.IsUint()) return bad(key, "expected a non-negative integer");
  return v.GetUint();
}
}  // namespace

Result<FaultUpdate> parse_fault_update(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return Error{ErrorCode::malformed_json, "faults: body is not a JSON object"};
  }
  FaultUpdate u;
  for (const auto& m : doc.GetObject()) {
    const std::string key = m.name.GetString();
    const auto& v = m.value;
    if (key == "dropEvery") {
      auto r = count(v, "dropEvery");
      if (!r) return r.error();
      u.drop_every = *r;
    } else if (key == "delayMs") {
      auto r = count(v, "delayMs");
      if (!r) return r.error();
      u.delay_ms = *r;
    } else if (key == "storeThenDrop" || key == "dropBeforeStore" || key == "duplicate") {
      auto r = probability(v, key.c_str());
      if (!r) return r.error();
      (key == "storeThenDrop" ? u.store_then_drop
                              : key == "dropBeforeStore" ? u.drop_before_store : u.duplicate) = *r;
    } else if (key == "seed") {
      if (!v.IsUint64()) return bad("seed", "expected a non-negative integer");
      u.seed = v.GetUint64();
    } else if (key == "rejectMode") {
      if (!v.IsString()) return bad("rejectMode", "expected \"silent\" or \"error\"");
      auto r = parse_reject_mode(v.GetString());
      if (!r) return r.error();
      u.reject_mode = *r;
    } else {
      return Error{ErrorCode::invalid_argument, "faults: unknown key \"" + key + "\""};
    }
  }
  return u;
}

std::string encode_fault_config(const FaultConfig& c) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("dropEvery");
  w.Uint(c.drop_every);
  w.Key("storeThenDrop");
  w.Double(c.store_then_drop);
  w.Key("dropBeforeStore");
  w.Double(c.drop_before_store);
  w.Key("duplicate");
  w.Double(c.duplicate);
  w.Key("delayMs");
  w.Uint(c.delay_ms);
  w.Key("seed");
  w.Uint64(c.seed);
  w.Key("rejectMode");
  w.String(to_string(c.reject_mode));
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

Faults::Faults(FaultConfig initial) : config_(initial), rng_(initial.seed) {}

FaultConfig Faults::config() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return config_;
}

void Faults::update(const FaultUpdate& u) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (u.drop_every) {
    config_.drop_every = *u.drop_every;
    frames_sent_ = 0;
  }
  if (u.store_then_drop) config_.store_then_drop = *u.store_then_drop;
  if (u.drop_before_store) config_.drop_before_store = *u.drop_before_store;
  if (u.duplicate) config_.duplicate = *u.duplicate;
  if (u.delay_ms) config_.delay_ms = *u.delay_ms;
  if (u.reject_mode) config_.reject_mode = *u.reject_mode;
  if (u.fail_get_chats) config_.fail_get_chats = *u.fail_get_chats;
  if (u.fail_get_messages) config_.fail_get_messages = *u.fail_get_messages;
  if (u.max_closes) {
    config_.max_closes = *u.max_closes;
    closes_ = 0;
  }
  if (u.seed) {
    config_.seed = *u.seed;
    rng_.seed(*u.seed);
  }
}

bool Faults::take_one(unsigned& left) {
  if (left == 0) return false;
  --left;
  return true;
}

bool Faults::chance(double p) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p;
}

bool Faults::close_allowed() {
  if (config_.max_closes == 0) return true;
  if (closes_ >= config_.max_closes) return false;
  ++closes_;
  return true;
}

bool Faults::store_then_drop() {
  std::lock_guard<std::mutex> lock(mutex_);
  return chance(config_.store_then_drop) && close_allowed();
}

bool Faults::drop_before_store() {
  std::lock_guard<std::mutex> lock(mutex_);
  return chance(config_.drop_before_store) && close_allowed();
}

bool Faults::duplicate() {
  std::lock_guard<std::mutex> lock(mutex_);
  return chance(config_.duplicate);
}

unsigned Faults::delay_ms() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (config_.delay_ms == 0) return 0;
  return std::uniform_int_distribution<unsigned>(0, config_.delay_ms)(rng_);
}

bool Faults::count_frame_and_check_drop() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (config_.drop_every == 0) return false;
  ++frames_sent_;
  return frames_sent_ % config_.drop_every == 0 && close_allowed();
}

bool Faults::fail_get_chats() {
  std::lock_guard<std::mutex> lock(mutex_);
  return take_one(config_.fail_get_chats);
}

bool Faults::fail_get_messages() {
  std::lock_guard<std::mutex> lock(mutex_);
  return take_one(config_.fail_get_messages);
}

RejectMode Faults::reject_mode() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return config_.reject_mode;
}

}  // namespace whisp::devserver
