// JSON payloads of the C API's callback (whisp.h, whisp_event_kind), one encoder per kind.
#pragma once

#include <string>

#include "whisp/engine.hpp"

namespace whisp::capi {

std::string change_json(const Change& change);
std::string connection_json(const ConnectionEvent& event);
std::string error_json(const Error& error);
std::string tokens_json(const Tokens& tokens);

}  // namespace whisp::capi
