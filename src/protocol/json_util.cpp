#include "protocol/json_util.hpp"

#include <rapidjson/error/en.h>

#include <cstdint>
#include <cstring>

namespace whisp::json {

ParsedJson::ParsedJson()
    : value_pool_(value_buf_, sizeof value_buf_),
      stack_pool_(stack_buf_, sizeof stack_buf_),
      doc_(&value_pool_, 1024, &stack_pool_) {}

Status ParsedJson::parse(std::string_view json, const char* what) {
  if (const void* nul = std::memchr(json.data(), '\0', json.size())) {
    return Error{ErrorCode::malformed_json,
                 std::string(what) + ": parse error at offset " +
                     std::to_string(static_cast<const char*>(nul) - json.data()) +
                     ": NUL byte in the document"};
  }
  char* buf = input_buf_;
  if (json.size() >= sizeof input_buf_) {
    input_heap_.assign(json.data(), json.size());
    buf = input_heap_.data();  // NUL-terminated by std::string
  } else {
    std::memcpy(buf, json.data(), json.size());
    buf[json.size()] = '\0';
  }
  doc_.ParseInsitu<kParseFlags>(buf);
  if (doc_.HasParseError()) {
    return Error{ErrorCode::malformed_json,
                 std::string(what) + ": parse error at offset " +
                     std::to_string(doc_.GetErrorOffset()) + ": " +
                     rapidjson::GetParseError_En(doc_.GetParseError())};
  }
  if (!doc_.IsObject()) {
    return Error{ErrorCode::malformed_json, std::string(what) + ": not a JSON object"};
  }
  return Ok{};
}

std::string Path::render() const {
  std::string head = parent ? parent->render() : std::string();
  if (index != kNoIndex) return head + "[" + std::to_string(index) + "]";
  if (!head.empty()) head += '.';
  head.append(name.data(), name.size());
  return head;
}

std::string Path::render(std::string_view field) const {
  std::string s = render();
  s += '.';
  s.append(field.data(), field.size());
  return s;
}

const char* type_name(const Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "bool";
    case rapidjson::kObjectType: return "object";
    case rapidjson::kArrayType: return "array";
    case rapidjson::kStringType: return "string";
    case rapidjson::kNumberType: return "number";
  }
  return "unknown";
}

bool valid_utf8(const char* s, std::size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(s);
  const auto* const end = p + n;
  while (p < end) {
    while (end - p >= 8) {  // ASCII fast path
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      if (word & 0x8080808080808080ULL) break;
      p += 8;
    }
    if (p == end) break;
    const unsigned c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t len;
    std::uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) < len) return false;
    for (std::size_t i = 1; i < len; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += len;
  }
  return true;
}

const Value* Fields::find(const char* key) const {
  const auto it = obj_.FindMember(key);
  return it == obj_.MemberEnd() ? nullptr : &it->value;
}

bool Fields::fail(Error e) {
  if (!error_) error_ = std::move(e);
  return false;
}

bool Fields::fail_missing(const char* key) {
  return fail(Error{ErrorCode::missing_field, path_.render(key) + ": missing"});
}

bool Fields::fail_type(const char* key, const char* expected, const Value& got) {
  return fail(Error{ErrorCode::wrong_type, path_.render(key) + ": expected " + expected +
                                               ", got " + type_name(got)});
}

bool Fields::fail_encoding(const char* key) {
  return fail(Error{ErrorCode::malformed_json,
                    path_.render(key) + ": invalid UTF-8 (or a lone surrogate escape)"});
}

bool Fields::str(const char* key, std::string& out) {
  if (error_) return false;
  const Value* v = find(key);
  if (!v) return fail_missing(key);
  if (!v->IsString()) return fail_type(key, "string", *v);
  if (!valid_utf8(*v)) return fail_encoding(key);
  assign(out, *v);
  return true;
}

bool Fields::opt_str(const char* key, std::optional<std::string>& out) {
  if (error_) return false;
  const Value* v = find(key);
  if (!v || v->IsNull()) {
    out.reset();
    return true;
  }
  if (!v->IsString()) return fail_type(key, "string or null", *v);
  if (!valid_utf8(*v)) return fail_encoding(key);
  out.emplace(v->GetString(), v->GetStringLength());
  return true;
}

bool Fields::timestamp(const char* key, Timestamp& out) {
  if (error_) return false;
  const Value* v = find(key);
  if (!v) return fail_missing(key);
  if (!v->IsString()) return fail_type(key, "string", *v);
  auto t = parse_timestamp(std::string_view(v->GetString(), v->GetStringLength()));
  if (!t) return fail(Error{t.error().code, path_.render(key) + ": " + t.error().message});
  out = std::move(t).value();
  return true;
}

bool Fields::opt_timestamp(const char* key, std::optional<Timestamp>& out) {
  if (error_) return false;
  const Value* v = find(key);
  if (!v || v->IsNull()) {
    out.reset();
    return true;
  }
  if (!v->IsString()) return fail_type(key, "string or null", *v);
  auto t = parse_timestamp(std::string_view(v->GetString(), v->GetStringLength()));
  if (!t) return fail(Error{t.error().code, path_.render(key) + ": " + t.error().message});
  out = std::move(t).value();
  return true;
}

bool Fields::boolean(const char* key, bool& out) {
  if (error_) return false;
  const Value* v = find(key);
  if (!v) return fail_missing(key);
  if (!v->IsBool()) return fail_type(key, "bool", *v);
  out = v->GetBool();
  return true;
}

bool Fields::opt_int(const char* key, std::optional<int>& out) {
  if (error_) return false;
  const Value* v = find(key);
  if (!v || v->IsNull()) {
    out.reset();
    return true;
  }
  if (!v->IsInt()) {
    if (v->IsNumber()) {
      return fail(Error{ErrorCode::invalid_value, path_.render(key) + ": not a 32-bit integer"});
    }
    return fail_type(key, "integer or null", *v);
  }
  out = v->GetInt();
  return true;
}

bool Fields::str_array(const char* key, std::vector<std::string>& out) {
  const Value* a = array(key);
  if (!a) return false;
  out.clear();
  out.reserve(a->Size());
  for (rapidjson::SizeType i = 0; i < a->Size(); ++i) {
    const Value& e = (*a)[i];
    if (!e.IsString()) {
      const Path arr{&path_, key};
      const Path item{&arr, {}, i};
      return fail(Error{ErrorCode::wrong_type,
                        item.render() + ": expected string, got " + type_name(e)});
    }
    if (!valid_utf8(e)) return fail_encoding(key);
    out.emplace_back(e.GetString(), e.GetStringLength());
  }
  return true;
}

const Value* Fields::any(const char* key) {
  if (error_) return nullptr;
  const Value* v = find(key);
  if (!v) fail_missing(key);
  return v;
}

const Value* Fields::object(const char* key) {
  const Value* v = any(key);
  if (!v) return nullptr;
  if (!v->IsObject()) {
    fail_type(key, "object", *v);
    return nullptr;
  }
  return v;
}

const Value* Fields::opt_object(const char* key) {
  if (error_) return nullptr;
  const Value* v = find(key);
  if (!v || v->IsNull()) return nullptr;
  if (!v->IsObject()) {
    fail_type(key, "object or null", *v);
    return nullptr;
  }
  return v;
}

const Value* Fields::array(const char* key) {
  const Value* v = any(key);
  if (!v) return nullptr;
  if (!v->IsArray()) {
    fail_type(key, "array", *v);
    return nullptr;
  }
  return v;
}

}  // namespace whisp::json
