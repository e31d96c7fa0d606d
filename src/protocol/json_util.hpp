// Internal to src/protocol: the one field-reading helper that every decoder (events, actions,
// REST) uses, and the small writer helpers of the encoders. Not part of any public API.
//
// Decoding cost: a document is parsed with RapidJSON into a pool that lives on the caller's
// stack (no heap allocation for typical bodies); field paths for error messages are built only
// when an error happens.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/timestamp.hpp"
#include "whisp/result.hpp"

namespace whisp::json {

/// Parse flags of every decoder: in situ (strings are decoded inside a private copy of the
/// input, not copied again) and iterative (deep nesting cannot overflow the call stack).
///
/// Encoding: RapidJSON's kParseValidateEncodingFlag doubles the parse time, so it is not used;
/// instead every string the model keeps (and the `type`) is checked to be valid UTF-8 by
/// `valid_utf8` — overlongs, surrogates (also those a lone `\udc00` escape produces) and
/// code points past U+10FFFF are rejected as malformed_json naming the field. Bytes inside
/// members that no decoder reads are not inspected. A raw NUL byte anywhere is malformed.
///
/// Not kParseFullPrecisionFlag: the only numbers the model reads are integers
/// (ErrorBody.status), which RapidJSON parses exactly without it, and in RapidJSON 1.1.0 the
/// full-precision path calls __builtin_clzll(0) on zero mantissas such as `0e90` (undefined
/// behaviour, found by fuzz_event).
constexpr unsigned kParseFlags = rapidjson::kParseInsituFlag | rapidjson::kParseIterativeFlag;

using Pool = rapidjson::MemoryPoolAllocator<>;
using Document = rapidjson::GenericDocument<rapidjson::UTF8<>, Pool, Pool>;
using Value = rapidjson::GenericValue<rapidjson::UTF8<>, Pool>;

/// A parsed JSON body. Small documents live entirely in the object's inline buffers (the copy
/// of the input that is parsed in situ, the value pool and the parse stack), so construct it on
/// the stack, one per decode: no heap allocation for a typical event. Not copyable; values
/// point into it.
class ParsedJson {
 public:
  ParsedJson();
  ParsedJson(const ParsedJson&) = delete;
  ParsedJson& operator=(const ParsedJson&) = delete;

  /// Parses `json`; the root must be an object. Errors (malformed_json) read
  /// `<what>: parse error at offset N: <reason>` or `<what>: not a JSON object`.
  Status parse(std::string_view json, const char* what);

  const Value& root() const { return doc_; }

 private:
  char input_buf_[4096];
  std::string input_heap_;  // the copy of a larger input
  alignas(8) char value_buf_[8192];
  alignas(8) char stack_buf_[2048];
  Pool value_pool_;
  Pool stack_pool_;
  Document doc_;
};

/// A position inside a document, for error messages: a chain of segments that lives on the
/// stack and is rendered only on error ("REPLY.replyTo.messageId", "Message.reactions[2]").
struct Path {
  const Path* parent = nullptr;
  std::string_view name;           // a member name, or the root's label
  std::size_t index = kNoIndex;    // an array index instead of a name
  static constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);

  std::string render() const;
  std::string render(std::string_view field) const;  // this path + "." + field
};

/// "string", "number", "bool", "null", "object", "array".
const char* type_name(const Value& v);

/// Reads the members of one JSON object. The first failure is kept and every later call
/// returns false, so a decoder reads all its fields and checks `ok()` once:
///
///     Fields f(obj, path);
///     f.str("chatId", out.chat_id);
///     f.timestamp("timeStamp", out.time_stamp);
///     if (!f.ok()) return f.error();
///
/// Required readers fail with missing_field when the member is absent and wrong_type when it
/// has another JSON type (null included). Optional readers accept an absent member or null.
class Fields {
 public:
  Fields(const Value& object, const Path& path) : obj_(object), path_(path) {}

  bool ok() const { return !error_; }
  const Error& error() const { return *error_; }
  const Path& path() const { return path_; }

  bool str(const char* key, std::string& out);
  bool opt_str(const char* key, std::optional<std::string>& out);
  bool timestamp(const char* key, Timestamp& out);
  bool opt_timestamp(const char* key, std::optional<Timestamp>& out);
  bool boolean(const char* key, bool& out);
  bool opt_int(const char* key, std::optional<int>& out);
  bool str_array(const char* key, std::vector<std::string>& out);

  /// A required member of any JSON type (for callers that decode it themselves); nullptr and
  /// missing_field when absent.
  const Value* any(const char* key);
  /// A required object; nullptr and an error when absent or not an object.
  const Value* object(const char* key);
  /// An optional object: nullptr without error when absent or null.
  const Value* opt_object(const char* key);
  /// A required array.
  const Value* array(const char* key);

  /// Records an error (the first one wins) and returns false.
  bool fail(Error e);
  bool fail_missing(const char* key);
  bool fail_type(const char* key, const char* expected, const Value& got);
  bool fail_encoding(const char* key);

 private:
  const Value* find(const char* key) const;

  const Value& obj_;
  const Path& path_;
  std::optional<Error> error_;
};

/// True when `n` bytes at `s` are well-formed UTF-8 (no overlongs, no surrogates, nothing past
/// U+10FFFF). ASCII runs are checked eight bytes at a time.
bool valid_utf8(const char* s, std::size_t n);
inline bool valid_utf8(const Value& string_value) {
  return valid_utf8(string_value.GetString(), string_value.GetStringLength());
}

/// Copies a JSON string value byte for byte (embedded NULs included).
inline void assign(std::string& out, const Value& v) {
  out.assign(v.GetString(), v.GetStringLength());
}

/// The writer of every encoder: compact, UTF-8 in and out, deterministic.
class Writer {
 public:
  Writer() : w_(buf_) {}

  void start_object() { w_.StartObject(); }
  void end_object() { w_.EndObject(); }
  void start_array() { w_.StartArray(); }
  void end_array() { w_.EndArray(); }
  void key(std::string_view k) { w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
  void str(std::string_view v) {
    w_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  }
  void boolean(bool v) { w_.Bool(v); }
  void integer(int v) { w_.Int(v); }
  void null() { w_.Null(); }

  void field(std::string_view k, std::string_view v) { key(k); str(v); }
  void field(std::string_view k, const std::string& v) { key(k); str(v); }
  void field(std::string_view k, const Timestamp& t) { key(k); str(t.text); }
  void field(std::string_view k, bool v) { key(k); boolean(v); }
  void field(std::string_view k, const std::optional<std::string>& v) {
    key(k);
    if (v) str(*v); else null();
  }
  void field(std::string_view k, const std::optional<Timestamp>& v) {
    key(k);
    if (v) str(v->text); else null();
  }
  void field(std::string_view k, const std::vector<std::string>& v) {
    key(k);
    start_array();
    for (const auto& s : v) str(s);
    end_array();
  }
  // A char literal would otherwise pick the bool overload.
  void field(std::string_view k, const char* v) { field(k, std::string_view(v)); }

  std::string take() { return std::string(buf_.GetString(), buf_.GetSize()); }

 private:
  rapidjson::StringBuffer buf_;
  rapidjson::Writer<rapidjson::StringBuffer> w_;
};

/// Reads the required object member `key` with `read(Fields&, T&)`, errors naming the nested
/// path ("REPLY.replyTo.messageId: missing").
template <class T, class Read>
bool read_object(Fields& f, const char* key, T& out, Read read) {
  const Value* v = f.object(key);
  if (!v) return false;
  const Path path{&f.path(), key};
  Fields sub(*v, path);
  read(sub, out);
  return sub.ok() ? true : f.fail(sub.error());
}

/// Like read_object, for an optional member: absent or null gives nullopt.
template <class T, class Read>
bool read_opt_object(Fields& f, const char* key, std::optional<T>& out, Read read) {
  const Value* v = f.opt_object(key);
  if (!v) {
    out.reset();
    return f.ok();
  }
  const Path path{&f.path(), key};
  Fields sub(*v, path);
  T t{};
  read(sub, t);
  if (!sub.ok()) return f.fail(sub.error());
  out = std::move(t);
  return true;
}

/// Reads the required array of objects `key`, errors naming the index
/// ("Message.reactions[2].reactionId: missing").
template <class T, class Read>
bool read_object_array(Fields& f, const char* key, std::vector<T>& out, Read read) {
  const Value* a = f.array(key);
  if (!a) return false;
  const Path arr{&f.path(), key};
  out.clear();
  out.reserve(a->Size());
  for (rapidjson::SizeType i = 0; i < a->Size(); ++i) {
    const Path item{&arr, {}, i};
    const Value& e = (*a)[i];
    if (!e.IsObject()) {
      return f.fail(Error{ErrorCode::wrong_type,
                          item.render() + ": expected object, got " + type_name(e)});
    }
    Fields sub(e, item);
    T t{};
    read(sub, t);
    if (!sub.ok()) return f.fail(sub.error());
    out.push_back(std::move(t));
  }
  return true;
}

/// Parses `json` as an object labelled `what` and reads it with `read(Fields&, T&)`.
template <class T, class Read>
Result<T> decode_root(std::string_view json, const char* what, Read read) {
  ParsedJson doc;
  Status st = doc.parse(json, what);
  if (!st) return st.error();
  const Path path{nullptr, what};
  Fields f(doc.root(), path);
  T out{};
  read(f, out);
  if (!f.ok()) return f.error();
  return out;
}

}  // namespace whisp::json
