// JSON text in and out for the admin protocol, hardened for what a client may send: parsing
// refuses nesting deeper than a bound before nlohmann builds anything (its dump and conversions
// recurse), and dumping never throws (bytes that are not UTF-8 are replaced).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/Result.h"

namespace vipd::admin {

// The document in `text`, or EINVAL: deeper than maxDepth, or malformed (with the byte offset;
// the message never quotes the input, which need not be printable).
Result<nlohmann::json> parseBounded(std::string_view text, int maxDepth);

// j.dump() with invalid UTF-8 replaced by U+FFFD.
std::string dumpSafe(const nlohmann::json& j);

// `text` for a message: printable ASCII kept, anything else as \xNN, at most `max` bytes of it
// (then "..."), in double quotes. Log lines and error messages quote client input through this.
std::string quotedText(std::string_view text, std::size_t max = 40);

}  // namespace vipd::admin
