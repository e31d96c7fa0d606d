// A running engine's snapshot adds "typing": [userId…] to the chats where someone types
// (DESIGN.md, Snapshot JSON). Typing lives in memory only, so it joins the store's snapshot
// JSON here, after the read.
#pragma once

#include <string>

#include "actors/typing_board.hpp"

namespace whisp::actors {

/// `snapshot_json` with a "typing" array added to each chat where someone types now. Returns
/// the input unchanged (no parse) when nobody types anywhere it shows.
std::string with_typing(std::string snapshot_json, const TypingBoard& board);

}  // namespace whisp::actors
