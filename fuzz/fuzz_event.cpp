// libFuzzer target: the event decoder and the action decoder on arbitrary bytes.
// Properties: neither crashes nor leaks; whatever decodes re-encodes to something that decodes
// to an equal value, and encoding is a fixed point (encode(decode(encode(x))) == encode(x)).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/actions.hpp"
#include "protocol/events.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_event: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void check_event(std::string_view input) {
  auto e = whisp::decode_event(input);
  if (!e) {
    if (e.error().message.empty()) fail("event error without a message", std::string(input));
    return;
  }
  const std::string once = whisp::encode_event(e.value());
  auto again = whisp::decode_event(once);
  if (!again) fail("encoded event does not decode", once + "\n" + again.error().describe());
  if (!(again.value() == e.value())) fail("event round trip changed the value", once);
  if (whisp::encode_event(again.value()) != once) fail("event encoding not a fixed point", once);
}

void check_action(std::string_view input) {
  auto a = whisp::decode_action(input);
  if (!a) {
    if (a.error().message.empty()) fail("action error without a message", std::string(input));
    return;
  }
  const std::string once = whisp::encode_action(a->action, a->sender_id);
  auto again = whisp::decode_action(once);
  if (!again) fail("encoded action does not decode", once + "\n" + again.error().describe());
  if (!(again.value() == a.value())) fail("action round trip changed the value", once);
  if (whisp::encode_action(again->action, again->sender_id) != once) {
    fail("action encoding not a fixed point", once);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_event(input);
  check_action(input);
  return 0;
}
