// libFuzzer target: every REST decoder on arbitrary bytes.
// Properties: no crash or leak; every error carries a message; for every lossless DTO, what
// decodes re-encodes to something that decodes to an equal value.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/rest.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_rest: %s\n%s\n", what, detail.c_str());
  std::abort();
}

// Decodes with `decode`; when it succeeds, checks encode → decode gives an equal value.
template <class Decode>
void round_trip(const char* name, Decode decode, std::string_view input) {
  auto v = decode(input);
  if (!v) {
    if (v.error().message.empty()) fail(name, "error without a message");
    return;
  }
  const std::string once = whisp::rest::encode(v.value());
  auto again = decode(once);
  if (!again) fail(name, "encoded value does not decode: " + once + "\n" + again.error().describe());
  if (again.value() != v.value()) fail(name, "round trip changed the value: " + once);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace rest = whisp::rest;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  round_trip("Message", rest::decode_message, in);
  round_trip("MessageList", rest::decode_message_list, in);
  round_trip("ChatDetails", rest::decode_chat_details, in);
  round_trip("ChatList", rest::decode_chat_list, in);
  round_trip("UserList", rest::decode_user_list, in);
  round_trip("SignInResponse", rest::decode_sign_in_response, in);
  round_trip("TicketResponse", rest::decode_ticket, in);
  round_trip("CurrentUser", rest::decode_current_user, in);
  round_trip("RegisterRequest", rest::decode_register_request, in);
  round_trip("SignInRequest", rest::decode_sign_in_request, in);
  round_trip("RefreshRequest", rest::decode_refresh_request, in);
  round_trip("CreateChatRequest", rest::decode_create_chat_request, in);
  round_trip("AddUserRequest", rest::decode_add_user_request, in);
  round_trip("RemoveUserRequest", rest::decode_remove_user_request, in);
  round_trip("ChangeNameRequest", rest::decode_change_name_request, in);
  round_trip("LogoutRequest", rest::decode_logout_request, in);
  // ErrorBody's encoder writes only {message} (lossy by design): decode, then check that the
  // encoded form keeps the message.
  auto e = rest::decode_error_body(in);
  if (e) {
    auto again = rest::decode_error_body(rest::encode(e.value()));
    if (!again || again->message != e->message) fail("ErrorBody", "message lost on re-encode");
  } else if (e.error().message.empty()) {
    fail("ErrorBody", "error without a message");
  }
  return 0;
}
