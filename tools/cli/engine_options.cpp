#include "engine_options.hpp"

#include <cstdio>

#include "whisp/log.hpp"

namespace whisp::cli {

void EngineOptions::add_to(CLI::App& command) {
  command.add_option("--server", server, "Whisp server base URL, http(s)://HOST[:PORT]")
      ->required();
  command.add_option("--db", db, "the engine's SQLite store (created when missing)")->required();
  command.add_option("--user", user, "sign in: username (with --password and --api-key)");
  command.add_option("--password", password, "sign in: password");
  command.add_option("--api-key", api_key, "sign in: the app's API key");
  command.add_option("--user-id", user_id, "resume: user id (with --jwt and --refresh-token)");
  command.add_option("--jwt", jwt, "resume: a JWT of the session");
  command.add_option("--refresh-token", refresh_token, "resume: the session's refresh token");
  command.add_option("--log-level", log_level, "trace|debug|info|warn|error|off (stderr)")
      ->capture_default_str();
}

Result<Config> EngineOptions::to_config() const {
  LogLevel level;
  if (!parse_log_level(log_level, level)) {
    return Error{ErrorCode::invalid_argument,
                 "--log-level: \"" + log_level + "\" is not one of trace, debug, info, warn, "
                 "error, off"};
  }
  set_log_level(level);

  const bool any_sign_in = !user.empty() || !password.empty() || !api_key.empty();
  const bool any_resume = !user_id.empty() || !jwt.empty() || !refresh_token.empty();
  if (any_sign_in && any_resume) {
    return Error{ErrorCode::invalid_argument,
                 "give either --user/--password/--api-key (sign in) or "
                 "--user-id/--jwt/--refresh-token (resume), not both"};
  }
  if (!any_sign_in && !any_resume) {
    return Error{ErrorCode::invalid_argument,
                 "credentials missing: --user NAME --password PW --api-key KEY, or "
                 "--user-id ID --jwt T --refresh-token R"};
  }
  Config config;
  config.server_url = server;
  config.database_path = db;
  if (any_sign_in) {
    for (const auto& [value, flag] : {std::pair{&user, "--user"}, std::pair{&password, "--password"},
                                      std::pair{&api_key, "--api-key"}}) {
      if (value->empty()) {
        return Error{ErrorCode::invalid_argument, std::string("sign in needs ") + flag + " too"};
      }
    }
    config.auth = SignIn{api_key, user, password};
  } else {
    for (const auto& [value, flag] :
         {std::pair{&user_id, "--user-id"}, std::pair{&jwt, "--jwt"},
          std::pair{&refresh_token, "--refresh-token"}}) {
      if (value->empty()) {
        return Error{ErrorCode::invalid_argument, std::string("resuming needs ") + flag + " too"};
      }
    }
    config.auth = Tokens{user_id, jwt, refresh_token};
  }
  return config;
}

int usage_error(const std::string& command, const std::string& problem) {
  std::fprintf(stderr, "whisp %s: %s\nRun 'whisp %s --help' for usage.\n", command.c_str(),
               problem.c_str(), command.c_str());
  return kExitUsage;
}

int failure(const std::string& command, const std::string& problem) {
  std::fprintf(stderr, "whisp %s: %s\n", command.c_str(), problem.c_str());
  return kExitFailure;
}

}  // namespace whisp::cli
