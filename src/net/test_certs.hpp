// Test-only: a throw-away PKI made at run time with the OpenSSL API — a self-signed CA and a
// server certificate it signs, for host name "localhost" only (no IP SAN, so connecting to
// 127.0.0.1 with verification must fail the host-name check).
#pragma once

#include <string>

namespace whisp::net::testing {

struct TestPki {
  std::string dir;           // a fresh temp directory, removed by the destructor
  std::string ca_file;       // PEM of the CA certificate (the client's trust anchor)
  std::string server_cert;   // PEM text of the server certificate followed by the CA's
  std::string server_key;    // PEM text of the server's private key
  std::string other_ca_file; // PEM of an unrelated CA: verification against it must fail

  TestPki();  // aborts the test run (REQUIREs) if OpenSSL fails
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;
};

}  // namespace whisp::net::testing
