// WsSession, the I/O half: accept, the read loop, the outgoing queue, heart-beats, closing.
#include "ws_session.hpp"

#include <algorithm>

namespace whisp::devserver {

namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {
stomp::ParserLimits limits_for(const DevServerOptions& o) {
  stomp::ParserLimits l;
  l.max_frame_bytes = o.max_frame_bytes;
  return l;
}

/// The first of v12.stomp, v11.stomp, v10.stomp that the client offered, or empty.
std::string choose_subprotocol(beast::string_view offered) {
  for (const char* want : {"v12.stomp", "v11.stomp", "v10.stomp"}) {
    std::size_t pos = 0;
    while (pos <= offered.size()) {
      auto comma = offered.find(',', pos);
      if (comma == beast::string_view::npos) comma = offered.size();
      auto token = offered.substr(pos, comma - pos);
      while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
      while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
      if (token == want) return want;
      pos = comma + 1;
    }
  }
  return {};
}
}  // namespace

WsSession::WsSession(beast::tcp_stream&& stream, ServerContext& ctx, std::string ticket_user_id)
    : ws_(std::move(stream)),
      ctx_(ctx),
      ticket_user_(std::move(ticket_user_id)),
      parser_(limits_for(ctx.options)),
      check_timer_(ws_.get_executor()),
      beat_timer_(ws_.get_executor()),
      delay_timer_(ws_.get_executor()) {}

WsSession::~WsSession() { ctx_.hub.remove(this); }

void WsSession::run(http::request<http::string_body> req) {
  beast::get_lowest_layer(ws_).expires_never();
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  const std::string chosen = choose_subprotocol(req[http::field::sec_websocket_protocol]);
  ws_.set_option(websocket::stream_base::decorator([chosen](websocket::response_type& res) {
    res.set(http::field::server, "whisp-devserver");
    if (!chosen.empty()) res.set(http::field::sec_websocket_protocol, chosen);
  }));
  // Big enough that an oversized STOMP frame reaches the parser and gets a STOMP ERROR.
  ws_.read_message_max(std::max<std::size_t>(4 * ctx_.options.max_frame_bytes, 1 << 20));
  ws_.text(true);
  ws_.async_accept(req, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
}

void WsSession::on_accept(beast::error_code ec) {
  if (ec) return;
  last_inbound_ = Clock::now();
  do_read();
}

void WsSession::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
}

void WsSession::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    // Closed by the peer, dropped, or failed: stop everything; the destructor unregisters.
    stopped_ = true;
    {
      std::lock_guard<std::mutex> lock(out_mutex_);
      closing_ = true;
    }
    ctx_.hub.remove(this);
    check_timer_.cancel();
    beat_timer_.cancel();
    delay_timer_.cancel();
    return;
  }
  last_inbound_ = Clock::now();
  if (!stopped_) {
    const auto data = buffer_.data();
    parser_.feed(std::string_view(static_cast<const char*>(data.data()), data.size()));
  }
  buffer_.consume(buffer_.size());
  while (!stopped_) {
    auto item = parser_.next();
    if (!item) {
      fail(item.error().message);
      break;
    }
    if (!*item) break;
    if (auto* frame = std::get_if<stomp::Frame>(&**item)) handle_frame(*frame);
  }
  do_read();  // keep reading after a failure too, so the close handshake can complete
}

void WsSession::enqueue(std::string bytes, After after, bool count) {
  std::lock_guard<std::mutex> lock(out_mutex_);
  if (closing_) return;
  if (after != After::nothing) closing_ = true;
  if (count && ctx_.faults.count_frame_and_check_drop() && after == After::nothing) {
    after = After::drop;
    closing_ = true;
  }
  if (queued_bytes_ + bytes.size() > ctx_.options.max_outgoing_bytes) {
    // A slow client: close it (code 4500) instead of buffering without bound.
    closing_ = true;
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      self->stopped_ = true;
      self->ctx_.hub.remove(self.get());
      self->ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(4500), "slow client"),
                            [self](beast::error_code) { self->close_now(); });
      // The close frame waits behind the stuck write; a client that never reads is cut off.
      self->check_timer_.expires_after(std::chrono::seconds(2));
      self->check_timer_.async_wait([self](beast::error_code ec) {
        if (!ec) self->close_now();
      });
    });
    return;
  }
  const auto delay = std::chrono::milliseconds(ctx_.faults.delay_ms());
  last_due_ = std::max(last_due_, Clock::now() + delay);  // order kept per connection
  queued_bytes_ += bytes.size();
  queue_.push_back(Outgoing{std::move(bytes), last_due_, after});
  if (!writing_) {
    writing_ = true;
    net::post(ws_.get_executor(), [self = shared_from_this()] { self->do_write(); });
  }
}

void WsSession::do_write() {
  std::unique_lock<std::mutex> lock(out_mutex_);
  if (queue_.empty()) {
    writing_ = false;
    return;
  }
  const Outgoing& front = queue_.front();  // stays put while later frames are pushed back
  if (front.due > Clock::now()) {
    delay_timer_.expires_at(front.due);
    lock.unlock();
    delay_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        std::lock_guard<std::mutex> l(self->out_mutex_);
        self->writing_ = false;
        return;
      }
      self->do_write();
    });
    return;
  }
  auto buffer = net::buffer(front.bytes);
  lock.unlock();
  ws_.async_write(buffer, beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
}

void WsSession::on_write(beast::error_code ec, std::size_t) {
  After after;
  {
    std::lock_guard<std::mutex> lock(out_mutex_);
    after = queue_.front().after;
    queued_bytes_ -= queue_.front().bytes.size();
    queue_.pop_front();
    if (ec) {
      writing_ = false;
      closing_ = true;
      return;
    }
  }
  if (after != After::nothing) {
    finish(after);
    return;
  }
  do_write();
}

void WsSession::finish(After after) {
  stopped_ = true;
  ctx_.hub.remove(this);
  check_timer_.cancel();
  beat_timer_.cancel();
  if (after == After::drop) {
    close_now();
    return;
  }
  const auto code = after == After::close_protocol_error ? websocket::close_code::protocol_error
                                                         : websocket::close_code::normal;
  ws_.async_close(code, [self = shared_from_this()](beast::error_code) { self->close_now(); });
}

void WsSession::close_now() {
  stopped_ = true;
  {
    std::lock_guard<std::mutex> lock(out_mutex_);
    closing_ = true;
  }
  ctx_.hub.remove(this);
  check_timer_.cancel();
  beat_timer_.cancel();
  delay_timer_.cancel();
  beast::error_code ignored;
  auto& socket = beast::get_lowest_layer(ws_).socket();
  socket.shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

void WsSession::drop() {
  net::post(ws_.get_executor(), [self = shared_from_this()] { self->close_now(); });
}

void WsSession::start_heart_beats() {
  if (client_interval_ms_ > 0) {
    check_timer_.expires_after(std::chrono::milliseconds(client_interval_ms_));
    check_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->on_heart_beat_check();
    });
  }
  if (server_interval_ms_ > 0) {
    beat_timer_.expires_after(std::chrono::milliseconds(server_interval_ms_));
    beat_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->on_heart_beat_send();
    });
  }
}

void WsSession::on_heart_beat_check() {
  if (stopped_) return;
  const auto silent = Clock::now() - last_inbound_;
  const auto limit = std::chrono::milliseconds(3 * client_interval_ms_);
  if (silent > limit) {
    fail("heart-beat timeout: nothing received for " +
         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(silent).count()) +
         " ms");
    return;
  }
  check_timer_.expires_after(std::chrono::milliseconds(client_interval_ms_));
  check_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->on_heart_beat_check();
  });
}

void WsSession::on_heart_beat_send() {
  if (stopped_) return;
  enqueue(std::string(stomp::heart_beat_bytes()), After::nothing, /*count=*/false);
  beat_timer_.expires_after(std::chrono::milliseconds(server_interval_ms_));
  beat_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->on_heart_beat_send();
  });
}

}  // namespace whisp::devserver
