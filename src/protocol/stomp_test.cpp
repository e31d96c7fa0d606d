#include "protocol/stomp.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

using namespace std::string_literals;
using whisp::Error;
using whisp::ErrorCode;
using whisp::stomp::encode;
using whisp::stomp::Frame;
using whisp::stomp::HeartBeat;
using whisp::stomp::Item;
using whisp::stomp::Parser;
using whisp::stomp::ParserLimits;

namespace whisp::stomp {
std::ostream& operator<<(std::ostream& os, const Frame& f) {
  os << f.command << " {";
  for (const auto& [n, v] : f.headers) os << n << ':' << v << ';';
  return os << "} body[" << f.body.size() << "]";
}
std::ostream& operator<<(std::ostream& os, const Item& item) {
  if (std::holds_alternative<HeartBeat>(item)) return os << "<heart-beat>";
  return os << std::get<Frame>(item);
}
}  // namespace whisp::stomp
namespace whisp {
std::ostream& operator<<(std::ostream& os, const Error& e) {
  return os << e.describe();
}
}  // namespace whisp

namespace {

struct Parsed {
  std::vector<Item> items;
  std::optional<Error> error;
  std::size_t buffered = 0;
  bool operator==(const Parsed& o) const {
    return items == o.items && error == o.error && buffered == o.buffered;
  }
};

std::ostream& operator<<(std::ostream& os, const Parsed& p) {
  os << p.items.size() << " items, buffered " << p.buffered;
  if (p.error) os << ", error " << *p.error;
  return os;
}

/// Feeds `chunks` one after the other, pulling every item after each.
Parsed parse_chunks(const std::vector<std::string_view>& chunks, ParserLimits limits = {}) {
  Parser parser(limits);
  Parsed out;
  for (std::string_view chunk : chunks) {
    parser.feed(chunk);
    while (true) {
      auto r = parser.next();
      if (!r.ok()) {
        out.error = r.error();
        out.buffered = parser.buffered();
        return out;
      }
      if (!r.value()) break;
      out.items.push_back(std::move(*r.value()));
    }
  }
  out.buffered = parser.buffered();
  return out;
}

Parsed parse_whole(std::string_view s, ParserLimits limits = {}) {
  return parse_chunks({s}, limits);
}

/// Parses `s` whole, byte by byte and split at every position; all must agree. Returns the
/// whole-stream result (buffered bytes ignored when an error stops a split parse early).
Parsed parse_every_way(std::string_view s, ParserLimits limits = {}) {
  Parsed whole = parse_whole(s, limits);
  auto same = [&](Parsed p) {
    if (whole.error) p.buffered = whole.buffered = 0;
    return p;
  };
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < s.size(); ++i) bytes.push_back(s.substr(i, 1));
  CHECK(same(parse_chunks(bytes, limits)) == whole);
  for (std::size_t cut = 0; cut <= s.size(); ++cut) {
    INFO("split at " << cut);
    CHECK(same(parse_chunks({s.substr(0, cut), s.substr(cut)}, limits)) == whole);
  }
  return whole;
}

const Frame& frame_at(const Parsed& p, std::size_t i) {
  REQUIRE(i < p.items.size());
  REQUIRE(std::holds_alternative<Frame>(p.items[i]));
  return std::get<Frame>(p.items[i]);
}

/// The one frame of `s`, or a failed test.
Frame one_frame(std::string_view s) {
  Parsed p = parse_every_way(s);
  INFO(p);
  REQUIRE(!p.error);
  REQUIRE(p.items.size() == 1);
  REQUIRE(p.buffered == 0);
  return frame_at(p, 0);
}

/// The error `s` ends in, after checking it does not depend on the split.
Error error_of(std::string_view s, ParserLimits limits = {}) {
  Parsed p = parse_every_way(s, limits);
  INFO(p);
  REQUIRE(p.error);
  return *p.error;
}

const std::string message_json =
    R"({"type":"SEND_MSG","timeStamp":"2024-01-15T10:30:00Z","chatId":"660e8400-e29b-41d4-a716-446655440001","message":"Hello, world!","messageId":"770e8400-e29b-41d4-a716-446655440002","recipientId":"550e8400-e29b-41d4-a716-446655440000","senderId":"990e8400-e29b-41d4-a716-446655440004"})";

std::string message_frame(const std::string& body) {
  return "MESSAGE\ndestination:/user/550e8400/queue/messages\ncontent-type:application/json\n"
         "subscription:sub-0\nmessage-id:m-1\ncontent-length:" +
         std::to_string(body.size()) + "\n\n" + body + '\0';
}

}  // namespace

TEST_CASE("a stream gives the same items fed whole, byte by byte and split at every position") {
  const std::string stream =
      "CONNECTED\nversion:1.2\nheart-beat:0,0\nserver:a:b\n\n\0"s + "\n" + "\r\n" +
      message_frame(message_json) + "\n" + message_frame("with\0nul\0s"s) +
      "RECEIPT\r\nreceipt-id:77\r\n\r\n\0"s + "MESSAGE\nx\\cy:a\\nb\\\\c\n\nno length\0"s +
      "ERROR\nmessage:bad frame\ncontent-length:3\n\nwhy\0"s;
  Parsed p = parse_every_way(stream);
  INFO(p);
  REQUIRE(!p.error);
  REQUIRE(p.buffered == 0);
  REQUIRE(p.items.size() == 9);
  CHECK(frame_at(p, 0).command == "CONNECTED");
  CHECK(frame_at(p, 0).header("server") == "a:b");
  CHECK(std::holds_alternative<HeartBeat>(p.items[1]));
  CHECK(std::holds_alternative<HeartBeat>(p.items[2]));
  CHECK(frame_at(p, 3).body == message_json);
  CHECK(std::holds_alternative<HeartBeat>(p.items[4]));
  CHECK(frame_at(p, 5).body == "with\0nul\0s"s);
  CHECK(frame_at(p, 6).header("receipt-id") == "77");
  CHECK(frame_at(p, 7).header("x:y") == "a\nb\\c");
  CHECK(frame_at(p, 7).body == "no length");
  CHECK(frame_at(p, 8).body == "why");
}

TEST_CASE("many frames in one chunk are all returned in order") {
  std::string stream;
  for (int i = 0; i < 1000; ++i) stream += message_frame("{\"n\":" + std::to_string(i) + "}");
  Parsed p = parse_whole(stream);
  REQUIRE(!p.error);
  REQUIRE(p.items.size() == 1000);
  for (int i = 0; i < 1000; ++i) CHECK(frame_at(p, i).body == "{\"n\":" + std::to_string(i) + "}");
  CHECK(p.buffered == 0);
}

TEST_CASE("a partial frame waits for more bytes and is kept buffered") {
  Parser parser;
  parser.feed("MESSAGE\ncontent-length:4\n\nab");
  auto r = parser.next();
  REQUIRE(r.ok());
  CHECK(!r.value());
  CHECK(parser.buffered() == 28);
  parser.feed("cd"s + '\0' + "\n");
  r = parser.next();
  REQUIRE(r.ok());
  REQUIRE(r.value());
  CHECK(std::get<Frame>(*r.value()).body == "abcd");
  r = parser.next();
  REQUIRE((r.ok() && r.value() && std::holds_alternative<HeartBeat>(*r.value())));
  CHECK(parser.buffered() == 0);
}

TEST_CASE("LF and CRLF line ends give the same frame") {
  Frame lf = one_frame("SEND\ndestination:/api/chat\nreceipt:r1\n\nhi\0"s);
  Frame crlf = one_frame("SEND\r\ndestination:/api/chat\r\nreceipt:r1\r\n\r\nhi\0"s);
  Frame mixed = one_frame("SEND\r\ndestination:/api/chat\nreceipt:r1\r\n\nhi\0"s);
  CHECK(lf == crlf);
  CHECK(lf == mixed);
  CHECK(lf.headers.size() == 2);
  CHECK(lf.header("receipt") == "r1");
}

TEST_CASE("commands are case-sensitive and an unknown command is an error") {
  for (const char* cmd :
       {"CONNECT", "STOMP", "CONNECTED", "SEND", "SUBSCRIBE", "UNSUBSCRIBE", "ACK", "NACK", "BEGIN",
        "COMMIT", "ABORT", "DISCONNECT", "MESSAGE", "RECEIPT", "ERROR"}) {
    INFO(cmd);
    CHECK(one_frame(std::string(cmd) + "\n\n" + '\0').command == cmd);
  }
  SECTION("lower case") {
    Error e = error_of("send\n\n\0"s);
    CHECK(e.code == ErrorCode::protocol_error);
    CHECK(e.message == "unknown command 'send'");
  }
  SECTION("mixed case") {
    CHECK(error_of("Message\n\n\0"s).message == "unknown command 'Message'");
  }
  SECTION("unknown") {
    CHECK(error_of("HELLO\n\n\0"s).message == "unknown command 'HELLO'");
  }
  SECTION("trailing space is not trimmed") {
    CHECK(error_of("SEND \n\n\0"s).message == "unknown command 'SEND '");
  }
  SECTION("binary garbage is shown escaped") {
    CHECK(error_of("\x01\xff\n"s).message == "unknown command '\\x01\\xff'");
  }
}

TEST_CASE("header escapes are decoded in every frame but CONNECT and CONNECTED") {
  SECTION("all four escapes, in names and values") {
    Frame f = one_frame("MESSAGE\na\\cb:1\\r2\\n3\\c4\\\\5\n\n\0"s);
    REQUIRE(f.headers.size() == 1);
    CHECK(f.headers[0].first == "a:b");
    CHECK(f.headers[0].second == "1\r2\n3:4\\5");
  }
  SECTION("CONNECT keeps backslashes verbatim") {
    Frame f = one_frame("CONNECT\nlogin:dom\\user\npasscode:a\\cb\n\n\0"s);
    CHECK(f.header("login") == "dom\\user");
    CHECK(f.header("passcode") == "a\\cb");
  }
  SECTION("CONNECTED keeps backslashes verbatim, invalid escapes included") {
    Frame f = one_frame("CONNECTED\nserver:x\\ty\n\n\0"s);
    CHECK(f.header("server") == "x\\ty");
  }
  SECTION("values are never trimmed and may hold colons") {
    Frame f = one_frame("MESSAGE\nk: v :\n\n\0"s);
    CHECK(f.header("k") == " v :");
  }
}

TEST_CASE("an invalid header escape is an error naming the escape and the header") {
  Error e = error_of("MESSAGE\nfoo:a\\tb\n\n\0"s);
  CHECK(e.code == ErrorCode::protocol_error);
  CHECK(e.message == "invalid header escape \\t in header 'foo'");
  CHECK(error_of("SEND\nfoo:ab\\\n\n\0"s).message ==
        "incomplete header escape at end in header 'foo'");
  CHECK(error_of("SEND\nf\\xo:ab\n\n\0"s).message ==
        "invalid header escape \\x in header name 'f\\xo'");
  CHECK(error_of("SEND\nfoo:\\\x01\n\n\0"s).message ==
        "invalid header escape \\\\x01 in header 'foo'");
}

TEST_CASE("a content-length body keeps its NULs and must be followed by a NUL") {
  Frame f = one_frame("MESSAGE\ncontent-length:5\n\na\0b\0c\0"s);
  CHECK(f.body == "a\0b\0c"s);
  CHECK(one_frame("MESSAGE\ncontent-length:0\n\n\0"s).body.empty());
  SECTION("a missing NUL is an error") {
    Error e = error_of("MESSAGE\ncontent-length:5\n\nhelloX\0"s);
    CHECK(e.code == ErrorCode::protocol_error);
    CHECK(e.message == "missing NUL after 5-byte body");
  }
  SECTION("a content-length that is not a number is an error") {
    for (std::string v : {"abc", "", "-1", " 5", "5 ", "+5", "0x10"}) {
      INFO(v);
      Error e = error_of("MESSAGE\ncontent-length:" + v + "\n\nhello\0");
      CHECK(e.code == ErrorCode::protocol_error);
      CHECK(e.message == "content-length '" + v + "' is not a number");
    }
  }
}

TEST_CASE("without content-length the body ends at the first NUL") {
  Parsed p = parse_every_way("SEND\ndestination:/a\n\nfirst\0second\0"s);
  // "second\0" is not a frame: its command line never ends.
  REQUIRE(!p.error);
  REQUIRE(p.items.size() == 1);
  CHECK(frame_at(p, 0).body == "first");
  CHECK(p.buffered == 7);
}

TEST_CASE("bare EOLs between frames are heart-beats") {
  Parsed p = parse_every_way("\n\r\n\n"s + "RECEIPT\nreceipt-id:1\n\n\0"s + "\r\n");
  REQUIRE(!p.error);
  REQUIRE(p.items.size() == 5);
  for (std::size_t i : {0u, 1u, 2u, 4u}) CHECK(std::holds_alternative<HeartBeat>(p.items[i]));
  CHECK(frame_at(p, 3).command == "RECEIPT");
  SECTION("a CR not followed by LF is an error") {
    CHECK(error_of("\rX"s).message == "CR not followed by LF between frames");
  }
  SECTION("a lone CR waits for the next byte") {
    Parsed q = parse_whole("\r");
    CHECK((!q.error && q.items.empty() && q.buffered == 1));
  }
}

TEST_CASE("of repeated headers the first wins") {
  Frame f =
      one_frame("MESSAGE\nfoo:first\nfoo:second\ncontent-length:2\ncontent-length:5\n\nab\0"s);
  CHECK(f.header("foo") == "first");
  CHECK(f.headers.size() == 4);  // all kept, in wire order
  CHECK(f.headers[1] == std::pair<std::string, std::string>("foo", "second"));
  CHECK(f.body == "ab");
  CHECK(!f.header("bar"));
}

TEST_CASE("ERROR and RECEIPT frames are parsed with their headers and bodies") {
  Frame error = one_frame(
      "ERROR\nmessage:Session closed.\ncontent-type:text/plain\ncontent-length:26\n\n"
      "No messages received in 30\0"s);
  CHECK(error.command == "ERROR");
  CHECK(error.header("message") == "Session closed.");
  CHECK(error.body == "No messages received in 30");
  Frame receipt = one_frame("RECEIPT\nreceipt-id:disconnect-1\n\n\0"s);
  CHECK(receipt.command == "RECEIPT");
  CHECK(receipt.header("receipt-id") == "disconnect-1");
  CHECK(receipt.body.empty());
}

TEST_CASE("malformed header lines are errors naming the line") {
  CHECK(error_of("SEND\nnocolon\n\n\0"s).message == "header line 'nocolon' has no ':'");
  CHECK(error_of("SEND\n:v\n\n\0"s).message == "header line ':v' has an empty name");
  CHECK(error_of("SEND\na:b\rc\n\n\0"s).message == "bare CR in header line 'a:b\\x0dc'");
  CHECK(error_of("SEND\n\0\n"s).message == "NUL byte in header line '\\x00'");
  CHECK(error_of("SE\0ND\n"s).message == "NUL byte in command line 'SE\\x00ND'");
}

TEST_CASE("the frame size limit defaults to 1 MiB and is reported at the first byte over it") {
  CHECK(ParserLimits{}.max_frame_bytes == 1048576);
  const std::string head = "MESSAGE\n\n";  // 9 bytes
  SECTION("a frame of exactly the limit is accepted") {
    Parsed p = parse_whole(head + std::string(1048576 - head.size() - 1, 'x') + '\0');
    REQUIRE(!p.error);
    CHECK(frame_at(p, 0).body.size() == 1048566);
  }
  SECTION("one byte more is an error, even before the NUL arrives") {
    Parsed p = parse_whole(head + std::string(1048576 - head.size() + 1, 'x'));
    REQUIRE(p.error);
    CHECK(p.error->code == ErrorCode::frame_too_large);
    CHECK(p.error->message == "frame exceeds 1048576 bytes");
  }
  SECTION("a content-length over the limit is refused when the headers end") {
    Parsed p = parse_whole("MESSAGE\ncontent-length:2000000\n\n");
    REQUIRE(p.error);
    CHECK(p.error->code == ErrorCode::frame_too_large);
    CHECK(p.error->message == "frame exceeds 1048576 bytes (content-length 2000000)");
    Parsed huge = parse_whole("MESSAGE\ncontent-length:99999999999999999999999999\n\n");
    REQUIRE(huge.error);
    CHECK(huge.error->code == ErrorCode::frame_too_large);
  }
  SECTION("a content-length past size_t is refused even without a practical limit") {
    ParserLimits unlimited;
    unlimited.max_frame_bytes = SIZE_MAX;
    Parsed p = parse_whole("MESSAGE\ncontent-length:18446744073709551616\n\n", unlimited);
    REQUIRE(p.error);
    CHECK(p.error->message ==
          "frame exceeds 18446744073709551615 bytes (content-length 18446744073709551616)");
    CHECK(parse_every_way("MESSAGE\ncontent-length:3\n\nabc\0"s, unlimited).items.size() == 1);
  }
  SECTION("a configured limit applies the same way, whatever the split") {
    ParserLimits small;
    small.max_frame_bytes = 32;
    CHECK(error_of("MESSAGE\nlong-header:aaaaaaaaaaaaaaaaaaaaaaaaa\n\n\0"s, small).message ==
          "frame exceeds 32 bytes");
    CHECK(error_of("MESSAGE\n\n" + std::string(40, 'b') + '\0', small).message ==
          "frame exceeds 32 bytes");
    CHECK(error_of("MESSAGE\ncontent-length:20\n\n" + std::string(20, 'b') + '\0', small).message ==
          "frame exceeds 32 bytes (content-length 20)");
    Parsed fits = parse_every_way("MESSAGE\n\n" + std::string(22, 'b') + '\0', small);
    CHECK((!fits.error && fits.items.size() == 1));
  }
}

TEST_CASE("the header count and header line length are limited") {
  ParserLimits limits;
  limits.max_headers = 3;
  limits.max_header_line = 10;
  CHECK(parse_every_way("SEND\na:1\nb:2\nc:3\n\n\0"s, limits).items.size() == 1);
  Error count = error_of("SEND\na:1\nb:2\nc:3\nd:4\n\n\0"s, limits);
  CHECK(count.code == ErrorCode::frame_too_large);
  CHECK(count.message == "frame has more than 3 headers");
  CHECK(parse_every_way("SEND\nab:4567890\n\n\0"s, limits).items.size() == 1);
  Error line = error_of("SEND\nab:45678901\n\n\0"s, limits);
  CHECK(line.code == ErrorCode::frame_too_large);
  CHECK(line.message == "header line exceeds 10 bytes");
  CHECK(error_of("UNSUBSCRIBE\n\n\0"s, limits).message == "command line exceeds 10 bytes");
  SECTION("a header line without LF is refused once it is too long") {
    Parsed p = parse_whole("SEND\n" + std::string(11, 'h'), limits);
    REQUIRE(p.error);
    CHECK(p.error->message == "header line exceeds 10 bytes");
  }
  SECTION("the defaults") {
    CHECK(ParserLimits{}.max_headers == 64);
    CHECK(ParserLimits{}.max_header_line == 8192);
  }
}

TEST_CASE("after an error the parser keeps returning it") {
  Parser parser;
  parser.feed("BOGUS\n\n\0"s);
  auto first = parser.next();
  REQUIRE(!first.ok());
  parser.feed("SEND\n\n\0"s);
  auto second = parser.next();
  REQUIRE(!second.ok());
  CHECK(second.error() == first.error());
}

TEST_CASE("the encoder writes LF line ends, escaped headers, a byte-exact content-length and NUL") {
  Frame f;
  f.command = "SEND";
  f.add("destination", "/api/chat").add("we:ird", "a\nb\rc\\d:e");
  f.body = R"({"message":"hé"})";
  CHECK(encode(f) ==
        "SEND\ndestination:/api/chat\nwe\\cird:a\\nb\\rc\\\\d\\ce\ncontent-length:17\n\n"
        R"({"message":"hé"})"s +
            '\0');
  SECTION("an empty body gets no content-length") {
    Frame d;
    d.command = "DISCONNECT";
    d.add("receipt", "r-1");
    CHECK(encode(d) == "DISCONNECT\nreceipt:r-1\n\n\0"s);
  }
  SECTION("a given content-length is replaced in place and its repeats dropped") {
    Frame m;
    m.command = "MESSAGE";
    m.add("content-length", "999").add("a", "1").add("content-length", "7");
    m.body = "ab\0c"s;
    CHECK(encode(m) == "MESSAGE\ncontent-length:4\na:1\n\nab\0c\0"s);
  }
  SECTION("CONNECT and CONNECTED headers are written verbatim") {
    Frame c;
    c.command = "CONNECT";
    c.add("accept-version", "1.2").add("heart-beat", "10000,10000").add("login", "dom\\user");
    CHECK(encode(c) ==
          "CONNECT\naccept-version:1.2\nheart-beat:10000,10000\nlogin:dom\\user\n\n\0"s);
    c.command = "CONNECTED";
    CHECK(encode(c) ==
          "CONNECTED\naccept-version:1.2\nheart-beat:10000,10000\nlogin:dom\\user\n\n\0"s);
  }
}

TEST_CASE("encoding then parsing gives the frame back") {
  std::vector<Frame> frames;
  frames.push_back(Frame{"SEND", {{"destination", "/api/chat"}}, message_json});
  frames.push_back(
      Frame{"MESSAGE", {{"k:\\\r\n", "v:\\\r\n"}, {"k:\\\r\n", "second"}}, "\0\0x\0"s});
  frames.push_back(Frame{"CONNECT", {{"Authorization", "Bearer a.b.c"}, {"x", "a\\b:c"}}, ""});
  frames.push_back(Frame{"ERROR", {{"message", "too big"}}, std::string(70000, '\0')});
  frames.push_back(Frame{"RECEIPT", {{"receipt-id", ""}}, ""});
  std::string stream;
  for (const Frame& f : frames) stream += encode(f) + "\n";
  Parsed p = parse_whole(stream);
  REQUIRE(!p.error);
  REQUIRE(p.items.size() == 2 * frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    Frame expected = frames[i];
    if (!expected.body.empty())
      expected.add("content-length", std::to_string(expected.body.size()));
    CHECK(frame_at(p, 2 * i) == expected);
    CHECK(std::holds_alternative<HeartBeat>(p.items[2 * i + 1]));
    CHECK(encode(frame_at(p, 2 * i)) == encode(frames[i]));
  }
}

TEST_CASE("heart-beat header values are parsed as two millisecond counts") {
  using whisp::stomp::parse_heart_beat;
  auto hb = parse_heart_beat("10000,5000");
  REQUIRE(hb.ok());
  CHECK(hb.value() == std::pair<unsigned, unsigned>(10000, 5000));
  CHECK(parse_heart_beat("0,0").value() == std::pair<unsigned, unsigned>(0, 0));
  CHECK(parse_heart_beat("10000").error().message == "heart-beat '10000' is not 'cx,cy'");
  CHECK(parse_heart_beat("1,x").error().message ==
        "heart-beat '1,x' is not 'cx,cy' ('x' is not a number)");
  CHECK(parse_heart_beat(",1").error().message ==
        "heart-beat ',1' is not 'cx,cy' ('' is not a number)");
  CHECK(parse_heart_beat("1,2,3").error().message ==
        "heart-beat '1,2,3' is not 'cx,cy' ('2,3' is not a number)");
  CHECK(parse_heart_beat(" 1,2").error().code == ErrorCode::protocol_error);
  CHECK(parse_heart_beat("1,99999999999").error().message ==
        "heart-beat '1,99999999999' has an out-of-range '99999999999'");
}
