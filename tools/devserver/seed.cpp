#include "seed.hpp"

namespace whisp::devserver {

Result<SeedResult> seed_demo(ServerContext& ctx) {
  SeedResult out;
  std::lock_guard<std::mutex> lock(ctx.mutex);
  State& st = *ctx.state;
  bool existed = false;
  for (const char* name : {"alice", "bob", "carol"}) {
    SeededUser u;
    u.username = name;
    u.password = std::string(name) + "-password";
    u.email = std::string(name) + "@example.com";
    if (auto row = st.user_by_name(name)) {
      existed = true;
      u.id = row->id;
    } else {
      rest::RegisterRequest r;
      r.username = u.username;
      r.email = u.email;
      r.password = u.password;
      auto created = st.create_user(r, hash_password(u.password, ctx.options.pbkdf2_iterations),
                                    ctx.now_us());
      if (!created) return Error{created.error().code, "seed: " + created.error().message};
      u.id = created->id;
    }
    out.users.push_back(std::move(u));
  }
  if (existed) {
    const auto chats = st.chat_ids_of(out.users[0].id);
    if (!chats.empty()) out.chat_id = chats.front();
    return out;
  }
  const auto& alice = out.users[0];
  const auto& bob = out.users[1];
  const auto& carol = out.users[2];
  rest::CreateChatRequest chat;
  chat.chat_name = "Welcome to Whisp";
  chat.user_names = {"alice", "bob", "carol"};
  auto created = st.create_chat(UserRow{alice.id, alice.username, alice.email}, chat, ctx.now_us());
  if (!created) return Error{created.error().code, "seed: " + created.error().message};
  out.chat_id = created->first.chat_id;

  auto act = [&](const std::string& who, Action a) -> Result<Fanout> {
    return st.apply_action(who, a, ctx.now_us());
  };
  auto first = act(alice.id, action::SendMsg{out.chat_id, "Hi everyone, welcome!", ""});
  if (!first) return first.error();
  const auto first_id = std::get<event::SendMsg>(first->event).message_id;
  auto second = act(bob.id, action::SendMsg{out.chat_id, "Hey alice, glad to be here", ""});
  if (!second) return second.error();
  const auto second_id = std::get<event::SendMsg>(second->event).message_id;
  for (auto r : {act(carol.id, action::Reply{out.chat_id, first_id, "Thanks for the invite!", ""}),
                 act(bob.id, action::React{out.chat_id, first_id, "\xF0\x9F\x91\x8D", ""}),
                 act(alice.id, action::EditMsg{out.chat_id, first_id,
                                               "Hi everyone, welcome to Whisp!", ""}),
                 act(alice.id, action::ReadMsg{out.chat_id, second_id})}) {
    if (!r) return Error{r.error().code, "seed: " + r.error().message};
  }
  return out;
}

}  // namespace whisp::devserver
