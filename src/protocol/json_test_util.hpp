// Test-only helpers for the protocol tests: reading test vectors and editing JSON documents
// (remove a member, replace it with a value of another type) to walk every error path.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace whisp::test {

/// The bytes of tests/data/<relative>; throws (failing the test) when missing.
inline std::string read_test_file(const std::string& relative) {
  const std::string path = std::string(WHISP_TEST_DATA) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline rapidjson::Document parse_doc(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError()) throw std::runtime_error("test vector is not JSON: " + json);
  return d;
}

inline std::string to_text(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

/// The document re-written compactly by RapidJSON (same member order, escapes resolved).
inline std::string minify(const std::string& json) { return to_text(parse_doc(json)); }

/// Member names of the object at `pointer` ("" = root, or one nested member name).
inline std::vector<std::string> member_names(const std::string& json,
                                             const std::string& nested = "") {
  rapidjson::Document d = parse_doc(json);
  const rapidjson::Value& obj = nested.empty() ? d : d[nested.c_str()];
  std::vector<std::string> names;
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    names.emplace_back(it->name.GetString(), it->name.GetStringLength());
  }
  return names;
}

/// The kinds of replacement value a mistyped-field test uses.
enum class Kind { number, boolean, null, object, array, string };

inline const char* kind_name(Kind k) {
  switch (k) {
    case Kind::number: return "number";
    case Kind::boolean: return "bool";
    case Kind::null: return "null";
    case Kind::object: return "object";
    case Kind::array: return "array";
    case Kind::string: return "string";
  }
  return "?";
}

/// `json` with member `name` (of the root, or of root member `nested`) removed.
inline std::string without_member(const std::string& json, const std::string& name,
                                  const std::string& nested = "") {
  rapidjson::Document d = parse_doc(json);
  rapidjson::Value& obj = nested.empty() ? d : d[nested.c_str()];
  obj.RemoveMember(name.c_str());
  return to_text(d);
}

/// `json` with member `name` replaced by a value of kind `k`.
inline std::string with_member_as(const std::string& json, const std::string& name, Kind k,
                                  const std::string& nested = "") {
  rapidjson::Document d = parse_doc(json);
  rapidjson::Value& obj = nested.empty() ? d : d[nested.c_str()];
  rapidjson::Value v;
  auto& a = d.GetAllocator();
  switch (k) {
    case Kind::number: v.SetInt(42); break;
    case Kind::boolean: v.SetBool(true); break;
    case Kind::null: v.SetNull(); break;
    case Kind::object: v.SetObject(); v.AddMember("x", 1, a); break;
    case Kind::array: v.SetArray(); v.PushBack(1, a); break;
    case Kind::string: v.SetString("text", a); break;
  }
  obj[name.c_str()] = v;
  return to_text(d);
}

/// `json` with string member `name` set to `value`.
inline std::string with_string(const std::string& json, const std::string& name,
                               const std::string& value, const std::string& nested = "") {
  rapidjson::Document d = parse_doc(json);
  rapidjson::Value& obj = nested.empty() ? d : d[nested.c_str()];
  obj[name.c_str()].SetString(value.data(), static_cast<rapidjson::SizeType>(value.size()),
                              d.GetAllocator());
  return to_text(d);
}

}  // namespace whisp::test
