// libFuzzer target: the event decoder, the action decoder and the store's log-line packing on
// arbitrary bytes. Properties: none crashes nor leaks; whatever decodes re-encodes to something
// that decodes to an equal value, and encoding is a fixed point (encode(decode(encode(x))) ==
// encode(x)); a packed line unpacks to exactly its input, and unpacking any bytes either fails
// with a message or gives some text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/actions.hpp"
#include "protocol/events.hpp"
#include "store/log_codec.hpp"

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

// The recipient of the vendor's example events, so the corpus exercises the self code too.
constexpr std::string_view kSelf = "550e8400-e29b-41d4-a716-446655440000";

void check_log_line(std::string_view input) {
  std::string packed, unpacked;
  if (whisp::store::pack_line(input, kSelf, packed)) {
    auto st = whisp::store::unpack_line(packed, kSelf, unpacked);
    if (!st) fail("packed line does not unpack", st.error().describe());
    if (unpacked != input) fail("packed line unpacks to other bytes", unpacked);
  }
  auto st = whisp::store::unpack_line(input, kSelf, unpacked);
  if (!st && st.error().message.empty()) fail("unpack error without a message", "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_event(input);
  check_action(input);
  check_log_line(input);
  return 0;
}
