#include "net/ws_client.hpp"

#include <algorithm>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "net/url.hpp"

namespace whisp::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {
using Strand = asio::strand<asio::io_context::executor_type>;
using PlainWs = websocket::stream<beast::tcp_stream>;
using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }
}  // namespace

bool is_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra = 0;
    std::uint32_t cp = 0, min = 0;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += extra + 1;
  }
  return true;
}

// Everything that lives on the I/O strand. Handlers capture `self` (the owning WsClient) to
// keep the connection alive while an operation is in flight.
struct WsClient::Impl {
  enum class State { idle, connecting, open, over };

  Impl(WsClient& owner, IoThread& io)
      : owner(owner), strand(asio::make_strand(io.context())), resolver(strand),
        resolve_timer(strand), close_timer(strand) {}

  WsClient& owner;
  Strand strand;
  tcp::resolver resolver;
  asio::steady_timer resolve_timer;
  asio::steady_timer close_timer;
  std::shared_ptr<asio::ssl::context> tls_context;
  std::unique_ptr<PlainWs> plain;
  std::unique_ptr<TlsWs> tls;

  Url url;
  WsOptions options;
  WsHandlers handlers;
  websocket::response_type upgrade_response;
  beast::flat_buffer read_buffer;
  Outgoing current;  // the message being written

  State state = State::idle;
  bool closing = false;        // close() was called
  bool close_started = false;  // async_close issued
  bool writing = false;
  bool ping_in_flight = false;
  bool resolve_timed_out = false;

  template <class F>
  void with_ws(F&& f) {
    if (tls) {
      f(*tls);
    } else if (plain) {
      f(*plain);
    }
  }

  void touch() {
    owner.last_activity_.store(Clock::now().time_since_epoch().count(),
                               std::memory_order_relaxed);
  }

  // ---- connect ------------------------------------------------------------------------------

  void start(std::shared_ptr<WsClient> self, std::string url_text) {
    if (closing) return finish(Error{ErrorCode::closed, "ws: closed by caller before connecting"});
    state = State::connecting;
    auto parsed = parse_url(url_text);
    if (!parsed) return finish(parsed.error());
    if (!parsed->websocket()) {
      return finish(Error{ErrorCode::invalid_argument,
                          "ws: url '" + url_text + "' is not ws:// or wss://"});
    }
    if (options.max_outgoing_message < 4) {
      return finish(Error{ErrorCode::invalid_argument,
                          "ws: max_outgoing_message must be at least 4 bytes"});
    }
    url = std::move(parsed.value());
    if (url.tls()) {
      auto context = make_tls_context(options.tls);
      if (!context) return finish(context.error());
      tls_context = std::move(context.value());
      tls = std::make_unique<TlsWs>(strand, *tls_context);
    } else {
      plain = std::make_unique<PlainWs>(strand);
    }
    resolve_timer.expires_after(options.timeouts.resolve);
    resolve_timer.async_wait([this, self](beast::error_code ec) {
      if (ec || state != State::connecting) return;
      resolve_timed_out = true;
      resolver.cancel();
    });
    resolver.async_resolve(url.host, std::to_string(url.port),
                           [this, self](beast::error_code ec, tcp::resolver::results_type r) {
                             resolve_timer.cancel();
                             if (state != State::connecting) return;
                             if (resolve_timed_out) {
                               return fail_timeout("resolve", options.timeouts.resolve);
                             }
                             if (ec) return fail(ec, "resolve");
                             on_resolve(self, std::move(r));
                           });
  }

  void on_resolve(std::shared_ptr<WsClient> self, tcp::resolver::results_type results) {
    with_ws([&](auto& ws) {
      beast::get_lowest_layer(ws).expires_after(options.timeouts.connect);
      beast::get_lowest_layer(ws).async_connect(
          results, [this, self](beast::error_code ec, const tcp::endpoint&) {
            if (state != State::connecting) return;
            if (ec == beast::error::timeout) {
              return fail_timeout("connect", options.timeouts.connect);
            }
            if (ec) return fail(ec, "connect");
            if (tls) return tls_handshake(self);
            upgrade(self);
          });
    });
  }

  void tls_handshake(std::shared_ptr<WsClient> self) {
    auto prepared = prepare_tls_connection(tls->next_layer().native_handle(), url.host,
                                           options.tls);
    if (!prepared) return finish(prepared.error());
    beast::get_lowest_layer(*tls).expires_after(options.timeouts.tls_handshake);
    tls->next_layer().async_handshake(
        asio::ssl::stream_base::client, [this, self](beast::error_code ec) {
          if (state != State::connecting) return;
          if (ec == beast::error::timeout) {
            return fail_timeout("tls", options.timeouts.tls_handshake);
          }
          if (ec) {
            return finish(Error{ErrorCode::io_error,
                                "ws tls " + url.authority() + ": " +
                                    describe_tls_failure(tls->next_layer().native_handle(),
                                                         url.host, ec)});
          }
          upgrade(self);
        });
  }

  void upgrade(std::shared_ptr<WsClient> self) {
    with_ws([&](auto& ws) {
      // From here on the WebSocket's own timeouts apply, not the TCP stream's.
      beast::get_lowest_layer(ws).expires_never();
      websocket::stream_base::timeout timeouts{};
      timeouts.handshake_timeout = options.timeouts.upgrade;
      timeouts.idle_timeout = websocket::stream_base::none();
      timeouts.keep_alive_pings = false;
      ws.set_option(timeouts);
      std::string offered;
      for (const auto& p : options.subprotocols) offered += (offered.empty() ? "" : ", ") + p;
      ws.set_option(websocket::stream_base::decorator(
          [offered, headers = options.headers](websocket::request_type& req) {
            req.set(http::field::user_agent, "whisp-engine");
            if (!offered.empty()) req.set(http::field::sec_websocket_protocol, offered);
            for (const auto& [name, value] : headers) req.insert(name, value);
          }));
      ws.async_handshake(upgrade_response, url.host_header(), url.target,
                         [this, self](beast::error_code ec) { on_upgrade(self, ec); });
    });
  }

  void on_upgrade(std::shared_ptr<WsClient> self, beast::error_code ec) {
    if (state != State::connecting) return;
    if (ec == beast::error::timeout) return fail_timeout("upgrade", options.timeouts.upgrade);
    if (ec == websocket::error::upgrade_declined) {
      return finish(Error{ErrorCode::protocol_error,
                          "ws upgrade " + url.authority() + url.target + ": server answered " +
                              std::to_string(upgrade_response.result_int()) + " " +
                              std::string(upgrade_response.reason())});
    }
    if (ec) return fail(ec, "upgrade");
    std::string selected(upgrade_response[http::field::sec_websocket_protocol]);
    if (!selected.empty() && std::find(options.subprotocols.begin(), options.subprotocols.end(),
                                       selected) == options.subprotocols.end()) {
      return finish(Error{ErrorCode::protocol_error, "ws upgrade " + url.authority() +
                                                         ": server selected subprotocol '" +
                                                         selected + "' that was not offered"});
    }
    with_ws([&](auto& ws) {
      websocket::stream_base::timeout timeouts{};
      timeouts.handshake_timeout = options.timeouts.close;  // the close handshake
      if (options.idle_timeout.count() > 0) {
        timeouts.idle_timeout = options.idle_timeout;
        timeouts.keep_alive_pings = true;
      } else {
        timeouts.idle_timeout = websocket::stream_base::none();
        timeouts.keep_alive_pings = false;
      }
      ws.set_option(timeouts);
      ws.read_message_max(options.max_incoming_message);
      ws.auto_fragment(false);
      ws.control_callback([this](websocket::frame_type kind, beast::string_view) {
        touch();
        if (kind == websocket::frame_type::pong && handlers.on_pong) handlers.on_pong();
      });
    });
    state = State::open;
    touch();
    if (handlers.on_open) handlers.on_open(selected);
    if (state != State::open) return;
    read(self);
    maybe_write(self);
  }

  // ---- read ---------------------------------------------------------------------------------

  void read(std::shared_ptr<WsClient> self) {
    with_ws([&](auto& ws) {
      ws.async_read(read_buffer, [this, self](beast::error_code ec, std::size_t) {
        if (state == State::over) return;
        if (ec) return on_read_error(ec);
        touch();
        std::string data = beast::buffers_to_string(read_buffer.data());
        read_buffer.consume(read_buffer.size());
        if (handlers.on_data) handlers.on_data(std::move(data));
        if (state == State::open) read(self);
      });
    });
  }

  void on_read_error(beast::error_code ec) {
    // Our close handshake is under way: its completion handler (or the close timer) ends it.
    if (close_started) return;
    if (ec == websocket::error::closed) {
      websocket::close_reason reason;
      with_ws([&](auto& ws) { reason = ws.reason(); });
      std::string text = "ws: closed by server (code " + std::to_string(reason.code);
      if (!reason.reason.empty()) text += ": " + std::string(reason.reason.c_str());
      return finish(Error{ErrorCode::closed, text + ")"});
    }
    if (ec == websocket::error::message_too_big) {
      return finish(Error{ErrorCode::frame_too_large,
                          "ws read " + url.authority() + ": incoming message over " +
                              std::to_string(options.max_incoming_message) + " bytes"});
    }
    if (ec == beast::error::timeout) {
      return finish(Error{ErrorCode::timeout, "ws read " + url.authority() + ": peer silent for " +
                                                  ms(options.idle_timeout)});
    }
    fail(ec, "read");
  }

  // ---- write, ping, close -------------------------------------------------------------------

  void maybe_write(std::shared_ptr<WsClient> self) {
    if (state != State::open || writing) return;
    {
      std::lock_guard<std::mutex> lock(owner.mutex_);
      if (!owner.queue_.empty()) {
        current = std::move(owner.queue_.front());
        owner.queue_.pop_front();
        writing = true;
      }
    }
    if (!writing) {
      if (closing) start_close_handshake(self);
      return;
    }
    with_ws([&](auto& ws) {
      ws.text(current.text);
      ws.async_write(asio::buffer(current.data), [this, self](beast::error_code ec, std::size_t) {
        writing = false;
        if (state == State::over) return;
        if (ec) return fail(ec, "write");
        {
          std::lock_guard<std::mutex> lock(owner.mutex_);
          owner.queued_bytes_ -= current.data.size();
        }
        current = Outgoing{};
        maybe_write(self);
      });
    });
  }

  void ping(std::shared_ptr<WsClient> self) {
    if (state != State::open || ping_in_flight || close_started) return;
    ping_in_flight = true;
    with_ws([&](auto& ws) {
      ws.async_ping({}, [this, self](beast::error_code ec) {
        ping_in_flight = false;
        if (state == State::over) return;
        if (ec) return fail(ec, "ping");
        if (closing) maybe_write(self);  // a close waiting for the ping to finish
      });
    });
  }

  void close(std::shared_ptr<WsClient> self) {
    if (state == State::over || closing) return;
    closing = true;
    if (state == State::idle) return;  // start() sees `closing` and ends the attempt
    if (state == State::connecting) {
      return finish(Error{ErrorCode::closed, "ws: closed by caller before the connection opened"});
    }
    close_timer.expires_after(options.timeouts.close);
    close_timer.async_wait([this, self](beast::error_code ec) {
      if (ec || state == State::over) return;
      finish(Error{ErrorCode::timeout,
                   "ws close " + url.authority() + ": not done within " + ms(options.timeouts.close)});
    });
    maybe_write(self);
  }

  void start_close_handshake(std::shared_ptr<WsClient> self) {
    if (close_started || ping_in_flight) return;
    close_started = true;
    with_ws([&](auto& ws) {
      ws.async_close(websocket::close_code::normal, [this, self](beast::error_code) {
        finish(Error{ErrorCode::closed, "ws: closed by client"});
      });
    });
  }

  // ---- the end ------------------------------------------------------------------------------

  void fail_timeout(const char* step, std::chrono::milliseconds limit) {
    finish(Error{ErrorCode::timeout,
                 std::string("ws ") + step + " " + url_or_text() + ": timed out after " + ms(limit)});
  }

  void fail(beast::error_code ec, const char* step) {
    finish(Error{ErrorCode::io_error,
                 std::string("ws ") + step + " " + url_or_text() + ": " + ec.message()});
  }

  std::string url_or_text() const { return url.host.empty() ? "?" : url.authority(); }

  // Ends the connection once: socket closed, queue dropped, on_close called, handlers released
  // (they may hold the owner's objects; releasing them breaks reference cycles).
  void finish(Error reason) {
    if (state == State::over) return;
    state = State::over;
    {
      std::lock_guard<std::mutex> lock(owner.mutex_);
      owner.accepting_ = false;
      owner.queue_.clear();
      owner.queued_bytes_ = 0;
    }
    resolve_timer.cancel();
    close_timer.cancel();
    resolver.cancel();
    with_ws([](auto& ws) {
      beast::error_code ignored;
      beast::get_lowest_layer(ws).socket().close(ignored);
    });
    auto on_close = std::move(handlers.on_close);
    handlers = WsHandlers{};
    if (on_close) on_close(std::move(reason));
  }
};

// ---- WsClient -------------------------------------------------------------------------------

std::shared_ptr<WsClient> WsClient::create(IoThread& io) {
  return std::shared_ptr<WsClient>(new WsClient(io));
}

WsClient::WsClient(IoThread& io) : impl_(std::make_unique<Impl>(*this, io)) {}

WsClient::~WsClient() = default;

void WsClient::connect(std::string url, WsOptions options, WsHandlers handlers) {
  bool second = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (connect_called_) {
      second = true;
    } else {
      connect_called_ = true;
      accepting_ = true;
      max_outgoing_message_ = std::max<std::size_t>(options.max_outgoing_message, 4);
      max_queue_bytes_ = options.max_queue_bytes;
    }
  }
  if (second) {
    asio::post(impl_->strand, [on_close = std::move(handlers.on_close)] {
      if (on_close) {
        on_close(Error{ErrorCode::invalid_argument,
                       "ws connect: this client was already connected once; create a new one"});
      }
    });
    return;
  }
  asio::post(impl_->strand, [self = shared_from_this(), url = std::move(url),
                             options = std::move(options),
                             handlers = std::move(handlers)]() mutable {
    self->impl_->options = std::move(options);
    self->impl_->handlers = std::move(handlers);
    self->impl_->start(self, std::move(url));
  });
}

Status WsClient::send(std::string bytes) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!accepting_) {
      return Error{ErrorCode::closed, connect_called_ ? "ws send: the connection is closing or over"
                                                      : "ws send: connect() was not called"};
    }
    if (bytes.empty()) return Ok{};
    if (bytes.size() > max_queue_bytes_ - queued_bytes_) {
      return Error{ErrorCode::rejected,
                   "ws send: outgoing queue full (" + std::to_string(queued_bytes_) + " of " +
                       std::to_string(max_queue_bytes_) + " bytes used, " +
                       std::to_string(bytes.size()) + " more requested)"};
    }
    const std::size_t max = max_outgoing_message_;
    std::size_t pos = 0;
    while (pos < bytes.size()) {
      std::size_t end = std::min(pos + max, bytes.size());
      if (end < bytes.size()) {
        // Never cut inside a UTF-8 sequence: back up over continuation bytes (at most 3).
        std::size_t cut = end;
        while (cut > pos && end - cut < 4 &&
               (static_cast<unsigned char>(bytes[cut]) & 0xC0) == 0x80) {
          --cut;
        }
        if (cut > pos && end - cut < 4) end = cut;
      }
      Outgoing message;
      message.data.assign(bytes, pos, end - pos);
      message.text = is_valid_utf8(message.data);
      queue_.push_back(std::move(message));
      pos = end;
    }
    queued_bytes_ += bytes.size();
  }
  asio::post(impl_->strand, [self = shared_from_this()] { self->impl_->maybe_write(self); });
  return Ok{};
}

void WsClient::ping() {
  asio::post(impl_->strand, [self = shared_from_this()] { self->impl_->ping(self); });
}

void WsClient::close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    accepting_ = false;
  }
  asio::post(impl_->strand, [self = shared_from_this()] { self->impl_->close(self); });
}

void WsClient::abort() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    accepting_ = false;
  }
  asio::post(impl_->strand, [self = shared_from_this()] {
    self->impl_->closing = true;
    if (self->impl_->state == Impl::State::idle) return;  // start() ends the attempt
    self->impl_->finish(Error{ErrorCode::closed, "ws: aborted by caller"});
  });
}

WsClient::Clock::time_point WsClient::last_activity() const {
  return Clock::time_point(Clock::duration(last_activity_.load(std::memory_order_relaxed)));
}

std::size_t WsClient::queued_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queued_bytes_;
}

}  // namespace whisp::net
