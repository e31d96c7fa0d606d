// The C API's configuration: whisp::Config read from JSON (the keys are listed in whisp.h).
// Strict: unknown keys, wrong types and missing required keys are refused with the key named.
#pragma once

#include <string_view>

#include "whisp/engine.hpp"
#include "whisp/result.hpp"

namespace whisp::capi {

Result<Config> parse_config(std::string_view json);

}  // namespace whisp::capi
