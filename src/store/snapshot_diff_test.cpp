#include "store/snapshot_diff.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

namespace whisp::store {
namespace {

// A random chat evolving the way a store's chat does: others' messages arrive in any time order,
// own messages are made pending (last, in the order made) and later delivered with a server id
// and time, messages are edited, reacted to and deleted, members and names change, and the view
// may be a window of the newest messages.
class ChatModel {
 public:
  explicit ChatModel(std::uint32_t seed) : rng_(seed) { chat_.chat_id = "c1"; }

  void step() {
    switch (pick(12)) {
      case 0: case 1: case 2: add_other(); break;
      case 3: case 4: add_own(); break;
      case 5: case 6: deliver_own(); break;
      case 7: edit(); break;
      case 8: react(); break;
      case 9: remove(); break;
      case 10: chat_fields(); break;
      default: window_ = pick(3) == 0 ? 1 + pick(12) : 0; break;
    }
  }

  ChatView view() const {
    ChatView v = chat_;
    std::vector<MessageView> confirmed, own;
    for (const auto& m : messages_) (m.message_id ? confirmed : own).push_back(m);
    std::sort(confirmed.begin(), confirmed.end(), [](const MessageView& a, const MessageView& b) {
      return std::tie(a.time_micros, *a.message_id) < std::tie(b.time_micros, *b.message_id);
    });
    v.messages = confirmed;
    v.messages.insert(v.messages.end(), own.begin(), own.end());  // own: in the order made
    if (window_ > 0 && v.messages.size() > window_) {
      v.messages.erase(v.messages.begin(), v.messages.end() - static_cast<std::ptrdiff_t>(window_));
    }
    return v;
  }

 private:
  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }

  MessageView* any() { return messages_.empty() ? nullptr : &messages_[pick(messages_.size())]; }

  void add_other() {
    MessageView m;
    m.message_id = "m" + std::to_string(next_++);
    m.sender_id = pick(2) ? "bob" : "carol";
    m.time_micros = static_cast<std::int64_t>(pick(1000));
    m.time_stamp = std::to_string(m.time_micros);
    m.text = "hello " + *m.message_id;
    messages_.push_back(m);
  }
  void add_own() {
    MessageView m;
    m.local_id = "local-" + std::to_string(next_++);
    m.sender_id = "alice";
    m.time_micros = 2000 + next_;
    m.time_stamp = std::to_string(m.time_micros);
    m.text = "mine " + *m.local_id;
    m.status = pick(2) ? MessageStatus::pending : MessageStatus::sent;
    messages_.push_back(m);
  }
  void deliver_own() {
    for (auto& m : messages_) {
      if (m.message_id) continue;
      m.message_id = "m" + std::to_string(next_++);
      m.time_micros = static_cast<std::int64_t>(pick(1000));  // the server's clock
      m.time_stamp = std::to_string(m.time_micros);
      m.status = pick(8) == 0 ? MessageStatus::failed : MessageStatus::delivered;
      if (m.status == MessageStatus::failed) {
        m.message_id.reset();
        m.error = "rejected";
      }
      return;
    }
  }
  void edit() {
    if (auto* m = any()) {
      m->text = "edited " + std::to_string(next_++);
      m->edited = true;
      m->edited_at = std::to_string(next_);
    }
  }
  void react() {
    if (auto* m = any()) {
      if (!m->reactions.empty() && pick(3) == 0) {
        m->reactions.erase(m->reactions.begin());
        return;
      }
      ReactionView r;
      r.reaction_id = "r" + std::to_string(next_++);
      r.sender_id = "bob";
      r.emoji = pick(2) ? "+1" : "heart";
      m->reactions.push_back(r);
    }
  }
  void remove() {
    if (!messages_.empty()) messages_.erase(messages_.begin() + static_cast<std::ptrdiff_t>(pick(messages_.size())));
  }
  void chat_fields() {
    switch (pick(3)) {
      case 0:
        chat_.name = pick(4) == 0 ? std::optional<std::string>() : "chat " + std::to_string(next_++);
        break;
      case 1: chat_.unread_count = static_cast<int>(pick(20)); break;
      default: {
        MemberView m;
        m.user_id = "u" + std::to_string(pick(4));
        m.last_read_message_id = messages_.empty() ? std::nullopt : messages_.front().message_id;
        auto it = std::find_if(chat_.members.begin(), chat_.members.end(),
                               [&](const MemberView& x) { return x.user_id == m.user_id; });
        if (it != chat_.members.end()) {
          chat_.members.erase(it);
        } else {
          chat_.members.push_back(m);
          std::sort(chat_.members.begin(), chat_.members.end(),
                    [](const MemberView& a, const MemberView& b) { return a.user_id < b.user_id; });
        }
      }
    }
  }

  std::mt19937 rng_;
  ChatView chat_;
  std::vector<MessageView> messages_;
  std::size_t window_ = 0;
  int next_ = 0;
};

MessageView message(const std::string& id, std::int64_t t) {
  MessageView m;
  m.message_id = id;
  m.sender_id = "bob";
  m.text = "text " + id;
  m.time_micros = t;
  m.time_stamp = std::to_string(t);
  return m;
}

MessageView pending(const std::string& local_id) {
  MessageView m;
  m.local_id = local_id;
  m.sender_id = "alice";
  m.text = "mine";
  m.time_micros = 9000;
  m.time_stamp = "9000";
  m.status = MessageStatus::pending;
  return m;
}

}  // namespace

TEST_CASE("a diff stream replayed onto the first view gives the last view, for 500 random chats") {
  int checked_steps = 0;
  for (std::uint32_t seed = 1; seed <= 500; ++seed) {
    ChatModel model(seed);
    const ChatView first = model.view();
    ChatView replayed = first;
    ChatView previous = first;
    for (int i = 0; i < 60; ++i) {
      model.step();
      ChatView next = model.view();
      ChatDiff d = diff_chats(previous, next);
      auto applied = apply_diff(replayed, d);
      REQUIRE(applied.ok());
      replayed = std::move(applied).value();
      INFO("seed " << seed << " step " << i << "\nexpected " << to_json(next) << "\nreplayed "
                   << to_json(replayed) << "\ndiff " << to_json(d));
      REQUIRE(same_chat(replayed, next));
      if (same_chat(previous, next)) REQUIRE(d.empty());
      previous = std::move(next);
      ++checked_steps;
    }
    REQUIRE(same_chat(replayed, model.view()));
    // A diff straight from the first view to the last is just as exact.
    auto direct = apply_diff(first, diff_chats(first, model.view()));
    REQUIRE(direct.ok());
    REQUIRE(same_chat(*direct, model.view()));
  }
  REQUIRE(checked_steps == 500 * 60);
}

TEST_CASE("a pending message becoming delivered is one update of its local-id key") {
  ChatView before;
  before.chat_id = "c1";
  before.messages = {message("m1", 100), message("m3", 300), pending("local-a")};
  ChatView after = before;
  after.messages = {message("m1", 100), message("m3", 300)};
  MessageView delivered = pending("local-a");
  delivered.message_id = "m2";
  delivered.time_micros = 200;
  delivered.time_stamp = "200";
  delivered.status = MessageStatus::delivered;

  SECTION("in place, at the end") {
    after.messages.push_back(delivered);
    auto d = diff_chats(before, after);
    REQUIRE(d.removed.empty());
    REQUIRE(d.inserted.empty());
    REQUIRE(d.updated.size() == 1);
    CHECK(d.updated[0].key == "local-a");
    CHECK_FALSE(d.updated[0].moved);
    CHECK(d.updated[0].index == 2);
  }
  SECTION("moving to its server-ordered place") {
    after.messages.insert(after.messages.begin() + 1, delivered);
    auto d = diff_chats(before, after);
    REQUIRE(d.removed.empty());
    REQUIRE(d.inserted.empty());
    REQUIRE(d.updated.size() == 1);
    CHECK(d.updated[0].key == "local-a");
    CHECK(d.updated[0].moved);
    CHECK(d.updated[0].index == 1);
    CHECK(d.updated[0].message.message_id == std::optional<std::string>("m2"));
    auto applied = apply_diff(before, d);
    REQUIRE(applied.ok());
    CHECK(same_chat(*applied, after));
  }
}

TEST_CASE("an item key is the local id when there is one, else the message id") {
  auto m = message("m1", 1);
  CHECK(item_key(m) == "m1");
  m.local_id = "local-1";
  CHECK(item_key(m) == "local-1");
}

TEST_CASE("equal views give an empty diff and chat fields are reported only when changed") {
  ChatView a;
  a.chat_id = "c1";
  a.name = "old";
  a.messages = {message("m1", 1), message("m2", 2)};
  CHECK(diff_chats(a, a).empty());
  ChatView b = a;
  b.name.reset();
  auto d = diff_chats(a, b);
  CHECK(d.name_changed);
  CHECK_FALSE(d.name);
  CHECK_FALSE(d.unread_count);
  CHECK_FALSE(d.members_changed);
  CHECK(d.removed.empty());
  CHECK(to_json(d) ==
        R"({"chatId":"c1","fromSeq":0,"toSeq":0,"name":null,"removed":[],"inserted":[],"updated":[]})");
}

TEST_CASE("duplicate keys in a view still diff exactly") {
  ChatView a;
  a.chat_id = "c1";
  a.messages = {message("m1", 1), message("m1", 1), message("m2", 2)};
  ChatView b = a;
  b.messages.erase(b.messages.begin());
  b.messages[0].text = "changed";
  auto applied = apply_diff(a, diff_chats(a, b));
  REQUIRE(applied.ok());
  CHECK(same_chat(*applied, b));
}

TEST_CASE("a diff that does not fit the view is refused with the key or index named") {
  ChatView a;
  a.chat_id = "c1";
  a.messages = {message("m1", 1)};
  ChatDiff d;
  d.chat_id = "c1";
  SECTION("an unknown removed key") {
    d.removed = {"nope"};
    auto r = apply_diff(a, d);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::invalid_argument);
    CHECK(r.error().message.find("nope") != std::string::npos);
  }
  SECTION("an insert past the end") {
    d.inserted.push_back({5, "m9", message("m9", 9)});
    auto r = apply_diff(a, d);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("index 5") != std::string::npos);
  }
  SECTION("an insert of a key already there") {
    d.inserted.push_back({0, "m1", message("m1", 1)});
    CHECK_FALSE(apply_diff(a, d).ok());
  }
  SECTION("an update of an unknown key") {
    d.updated.push_back({0, "m7", false, message("m7", 7)});
    CHECK_FALSE(apply_diff(a, d).ok());
  }
  SECTION("an update at the wrong index") {
    a.messages.push_back(message("m2", 2));
    d.updated.push_back({1, "m1", false, message("m1", 1)});
    CHECK_FALSE(apply_diff(a, d).ok());
  }
}

TEST_CASE("diff JSON is deterministic, parseable and carries messages in the contract shape") {
  ChatModel model(42);
  for (int i = 0; i < 30; ++i) model.step();
  ChatView a = model.view();
  for (int i = 0; i < 30; ++i) model.step();
  ChatView b = model.view();
  auto d = diff_chats(a, b);
  d.from_seq = 7;
  d.to_seq = 9;
  JsonOptions with_errors;
  with_errors.with_errors = true;
  auto json = to_json(d, with_errors);
  auto again = diff_chats(a, b);
  again.from_seq = 7;
  again.to_seq = 9;
  CHECK(to_json(again, with_errors) == json);
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(doc["fromSeq"].GetInt64() == 7);
  CHECK(doc["toSeq"].GetInt64() == 9);
  REQUIRE(doc["inserted"].Size() == d.inserted.size());
  REQUIRE(doc["updated"].Size() == d.updated.size());
  REQUIRE(doc["removed"].Size() == d.removed.size());
  for (std::size_t i = 0; i < d.inserted.size(); ++i) {
    const auto& item = doc["inserted"][static_cast<rapidjson::SizeType>(i)];
    CHECK(item["index"].GetUint64() == d.inserted[i].index);
    CHECK(item["key"].GetString() == d.inserted[i].key);
    CHECK(item["message"]["text"].GetString() == d.inserted[i].message.text);
    CHECK(item["message"].HasMember("status"));
  }
}

}  // namespace whisp::store
