// REST: chats, members and history (PROTOCOL.md section 2). Each change is committed and fanned
// out under ServerContext::mutex, so realtime order equals commit order.
#include <cstdlib>

#include "protocol/rest.hpp"
#include "rest_api.hpp"

namespace whisp::devserver::rest_detail {

namespace {
/// A non-negative integer query parameter, its default when absent, or nullopt when unusable.
std::optional<int> int_param(const Target& t, const std::string& name, int fallback) {
  auto v = t.param(name);
  if (!v) return fallback;
  if (v->empty() || v->size() > 9) return std::nullopt;
  for (char c : *v) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return std::atoi(v->c_str());
}

HttpResponse create_chat(ServerContext& ctx, const HttpRequest& req, const Caller& c) {
  auto body = rest::decode_create_chat_request(req.body);
  if (!body) return message(400, body.error().message);
  std::lock_guard<std::mutex> lock(ctx.mutex);
  auto creator = ctx.state->user_by_id(c.claims.user_id);
  if (!creator) return message(404, "user: unknown");
  auto r = ctx.state->create_chat(*creator, *body, ctx.now_us());
  if (!r) return from_error(r.error());
  ctx.hub.fanout(r->second);
  return json(200, rest::encode(r->first));
}

HttpResponse get_chats(ServerContext& ctx, const Target& t, const Caller& c) {
  const auto page = int_param(t, "page", 0);
  const auto size = int_param(t, "size", 20);
  if (!page) return message(400, "page: expected a non-negative integer");
  if (!size) return message(400, "size: expected a positive integer");
  std::lock_guard<std::mutex> lock(ctx.mutex);
  auto r = ctx.state->list_chats(c.claims.user_id, *page, *size);
  if (!r) return from_error(r.error());
  return json(200, rest::encode(*r));
}

HttpResponse get_users(ServerContext& ctx, const std::string& chat_id, const Caller& c) {
  std::lock_guard<std::mutex> lock(ctx.mutex);
  auto r = ctx.state->chat_users(c.claims.user_id, chat_id);
  if (!r) return from_error(r.error());
  return json(200, rest::encode(*r));
}

HttpResponse add_user(ServerContext& ctx, const HttpRequest& req, const Caller& c) {
  auto body = rest::decode_add_user_request(req.body);
  if (!body) return message(400, body.error().message);
  std::lock_guard<std::mutex> lock(ctx.mutex);
  auto r = ctx.state->add_member(c.claims.user_id, body->chat_id, body->new_username,
                                 ctx.now_us());
  if (!r) return from_error(r.error());
  ctx.hub.fanout(*r);
  return message(200, "user added");
}

HttpResponse remove_user(ServerContext& ctx, const HttpRequest& req, const Caller& c) {
  auto body = rest::decode_remove_user_request(req.body);
  if (!body) return message(400, body.error().message);
  std::lock_guard<std::mutex> lock(ctx.mutex);
  auto r = ctx.state->remove_member(c.claims.user_id, body->chat_id, body->remove_user,
                                    ctx.now_us());
  if (!r) return from_error(r.error());
  ctx.hub.fanout(*r);
  return message(200, "user removed");
}

HttpResponse change_name(ServerContext& ctx, const HttpRequest& req, const Caller& c) {
  auto body = rest::decode_change_name_request(req.body);
  if (!body) return message(400, body.error().message);
  std::lock_guard<std::mutex> lock(ctx.mutex);
  auto r = ctx.state->rename_chat(c.claims.user_id, body->chat_id, body->new_chat_name);
  if (!r) return from_error(r.error());
  return message(200, "chat renamed");
}

HttpResponse delete_chat(ServerContext& ctx, const Target& t, const Caller& c) {
  auto chat_id = t.param("chatId");
  if (!chat_id || chat_id->empty()) return message(400, "chatId: missing query parameter");
  std::lock_guard<std::mutex> lock(ctx.mutex);
  auto r = ctx.state->delete_chat(c.claims.user_id, *chat_id);
  if (!r) return from_error(r.error());
  ctx.hub.fanout(*r);
  return message(200, "chat deleted");
}

HttpResponse get_messages(ServerContext& ctx, const Target& t, const std::string& chat_id,
                          const Caller& c) {
  const auto size = int_param(t, "size", 50);
  if (!size) return message(400, "size: expected a positive integer");
  auto cursor = t.param("lastMessage");
  if (cursor && cursor->empty()) cursor.reset();
  std::lock_guard<std::mutex> lock(ctx.mutex);
  auto r = ctx.state->messages(c.claims.user_id, chat_id, *size, cursor);
  if (!r) return from_error(r.error());
  if (r->second) ctx.hub.fanout(*r->second);
  return json(200, rest::encode(r->first));
}

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}
}  // namespace

std::optional<HttpResponse> handle_chats(ServerContext& ctx, const HttpRequest& req,
                                         const Target& t) {
  constexpr std::string_view kUsers = "/api/chat/getUsers/";
  constexpr std::string_view kMessages = "/api/messages/getMessages/";
  const std::string& p = t.path;
  const bool known = p == "/api/chat/createChat" || p == "/api/chat/getChats" ||
                     p == "/api/chat/addUser" || p == "/api/chat/removeUser" ||
                     p == "/api/chat/changeName" || p == "/api/chat/deleteChat" ||
                     starts_with(p, kUsers) || starts_with(p, kMessages);
  if (!known) return std::nullopt;
  auto expect = [&](const char* method) { return req.method == method; };
  const char* method = (p == "/api/chat/getChats" || starts_with(p, kUsers) ||
                        starts_with(p, kMessages))
                           ? "GET"
                           : p == "/api/chat/deleteChat" ? "DELETE" : "POST";
  if (!expect(method)) return message(405, "method " + req.method + " not allowed");
  const Caller c = authenticate(ctx, req, p);
  if (c.denied) return *c.denied;
  if (p == "/api/chat/createChat") return create_chat(ctx, req, c);
  if (p == "/api/chat/getChats") {
    if (ctx.faults.fail_get_chats()) return message(503, "getChats: failing on purpose (fault)");
    return get_chats(ctx, t, c);
  }
  if (p == "/api/chat/addUser") return add_user(ctx, req, c);
  if (p == "/api/chat/removeUser") return remove_user(ctx, req, c);
  if (p == "/api/chat/changeName") return change_name(ctx, req, c);
  if (p == "/api/chat/deleteChat") return delete_chat(ctx, t, c);
  if (starts_with(p, kUsers)) return get_users(ctx, p.substr(kUsers.size()), c);
  if (ctx.faults.fail_get_messages()) return message(503, "getMessages: failing on purpose (fault)");
  return get_messages(ctx, t, p.substr(kMessages.size()), c);
}

}  // namespace whisp::devserver::rest_detail
