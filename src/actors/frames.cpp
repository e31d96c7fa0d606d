#include "actors/frames.hpp"

namespace whisp::actors {

std::string connect_frame(std::string_view host, std::string_view jwt, unsigned heart_beat_ms) {
  stomp::Frame f;
  f.command = "CONNECT";
  f.add("accept-version", "1.2");
  f.add("host", std::string(host));
  auto hb = std::to_string(heart_beat_ms);
  f.add("heart-beat", hb + "," + hb);
  f.add("Authorization", "Bearer " + std::string(jwt));
  return stomp::encode(f);
}

std::string subscribe_frame(std::string_view user_id) {
  stomp::Frame f;
  f.command = "SUBSCRIBE";
  f.add("id", "sub-0");
  f.add("destination", "/user/" + std::string(user_id) + "/queue/messages");
  return stomp::encode(f);
}

std::string send_frame(std::string_view body, std::string_view receipt) {
  stomp::Frame f;
  f.command = "SEND";
  f.add("destination", "/api/chat");
  f.add("content-type", "application/json");
  f.add("receipt", std::string(receipt));
  f.body = std::string(body);
  return stomp::encode(f);
}

std::string disconnect_frame() {
  stomp::Frame f;
  f.command = "DISCONNECT";
  return stomp::encode(f);
}

}  // namespace whisp::actors
