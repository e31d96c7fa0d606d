// REST: the /__admin/ calls of DESIGN.md "Dev server" (API key in x-api-key).
#include <rapidjson/document.h>

#include "rest_api.hpp"

namespace whisp::devserver::rest_detail {

std::optional<HttpResponse> handle_admin(ServerContext& ctx, const HttpRequest& req,
                                         const Target& t) {
  if (t.path.compare(0, 9, "/__admin/") != 0) return std::nullopt;
  if (req.api_key.empty() || !constant_time_equal(req.api_key, ctx.options.api_key)) {
    return unauthorized("the /__admin/ calls need the API key in x-api-key", t.path,
                        "API_KEY_INVALID");
  }
  if (t.path == "/__admin/faults") {
    if (req.method == "GET") return json(200, encode_fault_config(ctx.faults.config()));
    if (req.method != "POST") return message(405, "method " + req.method + " not allowed");
    auto u = parse_fault_update(req.body);
    if (!u) return message(400, u.error().message);
    ctx.faults.update(*u);
    return json(200, encode_fault_config(ctx.faults.config()));
  }
  if (t.path == "/__admin/connections") {
    // Test support: a SUBSCRIBE has no answer, so clients wait on this to know it took effect.
    const auto name = t.param("username").value_or("");
    std::optional<UserRow> u;
    {
      std::lock_guard<std::mutex> lock(ctx.mutex);
      u = ctx.state->user_by_name(name);
    }
    if (!u) return message(404, "username: no user \"" + name + "\"");
    return json(200, "{\"connections\":" + std::to_string(ctx.hub.connection_count(u->id)) +
                         ",\"subscribed\":" + std::to_string(ctx.hub.subscription_count(u->id)) +
                         "}");
  }
  if (t.path == "/__admin/kick") {
    if (req.method != "POST") return message(405, "method " + req.method + " not allowed");
    rapidjson::Document doc;
    doc.Parse(req.body.data(), req.body.size());
    if (doc.HasParseError() || !doc.IsObject()) return message(400, "body: not a JSON object");
    auto it = doc.FindMember("username");
    if (it == doc.MemberEnd() || !it->value.IsString()) {
      return message(400, "username: missing or not a string");
    }
    std::optional<UserRow> u;
    {
      std::lock_guard<std::mutex> lock(ctx.mutex);
      u = ctx.state->user_by_name(it->value.GetString());
    }
    if (!u) return message(404, std::string("username: no user \"") + it->value.GetString() + "\"");
    const auto n = ctx.hub.kick(u->id);
    return json(200, "{\"kicked\":" + std::to_string(n) + "}");
  }
  return message(404, "no route for " + req.method + " " + t.path);
}

}  // namespace whisp::devserver::rest_detail
