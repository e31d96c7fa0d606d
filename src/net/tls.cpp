#include "net/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>

namespace whisp::net {
namespace ssl = boost::asio::ssl;

namespace {

std::string openssl_reason() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_tls_context(const TlsOptions& options) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  boost::system::error_code ec;
  if (!options.ca_file.empty()) {
    ctx->load_verify_file(options.ca_file, ec);
    if (ec) {
      return Error{ErrorCode::invalid_argument,
                   "tls ca_file '" + options.ca_file + "': " + ec.message()};
    }
  } else {
    ctx->set_default_verify_paths(ec);
    if (ec) {
      return Error{ErrorCode::invalid_argument,
                   "tls: cannot load the system trust store: " + ec.message()};
    }
  }
  ctx->set_verify_mode(options.verify_peer ? ssl::verify_peer : ssl::verify_none);
  return ctx;
}

Status prepare_tls_connection(SSL* ssl, const std::string& host, const TlsOptions& options) {
  const bool ip = is_ip_literal(host);
  // SNI carries DNS names only (RFC 6066).
  if (!ip && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    return Error{ErrorCode::invalid_argument,
                 "tls: cannot set SNI host '" + host + "': " + openssl_reason()};
  }
  if (!options.verify_peer) return Ok{};
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                    : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  if (ok != 1) {
    return Error{ErrorCode::invalid_argument,
                 "tls: cannot check host '" + host + "': " + openssl_reason()};
  }
  return Ok{};
}

std::string describe_tls_failure(SSL* ssl, const std::string& host,
                                 const boost::system::error_code& ec) {
  const long verify = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
  if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
    return "TLS: certificate does not match host '" + host + "'";
  }
  if (verify != X509_V_OK) {
    return std::string("TLS: certificate verify failed: ") +
           X509_verify_cert_error_string(verify);
  }
  return "TLS handshake with '" + host + "' failed: " + ec.message();
}

}  // namespace whisp::net
