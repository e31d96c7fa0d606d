// Reading and checking the `params` object of one JSON-RPC request. The first problem found is
// kept (naming the parameter and the reason); later reads return defaults and change nothing.
// `finish()` also refuses keys the method did not read, so a misspelt parameter is an error
// instead of being ignored.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "whisp/engine.hpp"

namespace whisp::cli {

class RpcParams {
 public:
  /// `params` is the request's "params" member, or null when absent. An absent params is an
  /// empty object; any other non-object is refused.
  explicit RpcParams(const rapidjson::Value* params);

  /// A required non-empty string.
  std::string str(const char* name);
  /// An optional non-empty string (absent or null: nullopt).
  std::optional<std::string> opt_str(const char* name);
  /// A required string that may be empty.
  std::string text(const char* name);
  /// A reference to a message or reaction: exactly one of `server_key` (a server id) or
  /// `localId` (an own undelivered item).
  ItemRef ref(const char* server_key);
  /// A required integer in [min, max].
  std::int64_t integer(const char* name, std::int64_t min, std::int64_t max);
  /// A required array of non-empty strings (at least one).
  std::vector<std::string> str_array(const char* name);

  /// Checks that no unread key remains. Returns the first problem, or nullopt when all is well.
  std::optional<std::string> finish();

 private:
  const rapidjson::Value* member(const char* name);
  void fail(std::string message);

  const rapidjson::Value* params_;
  std::set<std::string> read_;
  std::optional<std::string> error_;
};

}  // namespace whisp::cli
