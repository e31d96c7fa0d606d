// TLS for the clients: an OpenSSL client context and the per-connection host-name check.
//
// Verification is on by default: the peer's chain is checked against the system store
// (`set_default_verify_paths`, Debian's /etc/ssl/certs) or, when `ca_file` is set, against that
// PEM file only; and the certificate must match the host name of the URL (DNS names through
// SAN/CN, IP literals through IP SANs). SNI is always sent for DNS names.
//
// Thread safety: a context may be shared by connections on any threads (OpenSSL contexts are
// thread-safe for creating connections once configured). The functions are pure apart from
// the SSL object they are given.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include "whisp/result.hpp"

typedef struct ssl_st SSL;

namespace whisp::net {

struct TlsOptions {
  /// Check the peer's certificate chain and host name. Off only for tests against a server
  /// whose certificate cannot be verified; never in production.
  bool verify_peer = true;
  /// PEM file of trusted CA certificates. Empty: the system store.
  std::string ca_file;
};

/// A TLS client context (TLS 1.2 or later) configured from `options`. Error (invalid_argument)
/// names the CA file and OpenSSL's reason when it cannot be loaded. Cost: loading the trust
/// store, a few milliseconds; create one per client and share it.
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const TlsOptions& options);

/// Prepares one connection before its handshake: SNI (for DNS names) and the host-name check
/// (DNS name or IP literal) that OpenSSL applies during verification. Error names the host.
Status prepare_tls_connection(SSL* ssl, const std::string& host, const TlsOptions& options);

/// A clear message for a failed TLS handshake: "TLS: certificate does not match host 'x'",
/// "TLS: certificate verify failed: self-signed certificate in certificate chain", or the
/// OpenSSL error text of `ec` when verification was not the cause.
std::string describe_tls_failure(SSL* ssl, const std::string& host,
                                 const boost::system::error_code& ec);

}  // namespace whisp::net
