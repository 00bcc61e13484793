// Bounded parsing and non-throwing dumping of the admin protocol's JSON.
#include "admin/BoundedJson.h"

#include <cerrno>
#include <cstdio>

namespace vipd::admin {
namespace {

// Whether arrays and objects in `text` nest deeper than maxDepth, counting brackets outside
// strings. Malformed text is the parser's to refuse; this only has to be right for text that
// parses, and never recurse.
bool nestsDeeperThan(std::string_view text, int maxDepth) {
  int depth = 0;
  bool inString = false, escaped = false;
  for (char c : text) {
    if (inString) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > maxDepth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

}  // namespace

Result<nlohmann::json> parseBounded(std::string_view text, int maxDepth) {
  if (nestsDeeperThan(text, maxDepth))
    return makeError(EINVAL, "JSON nested deeper than " + std::to_string(maxDepth) + " levels");
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return makeError(EINVAL, "malformed JSON at byte " + std::to_string(e.byte));
  } catch (const nlohmann::json::exception&) {
    return makeError(EINVAL, "malformed JSON");
  }
}

std::string dumpSafe(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string quotedText(std::string_view text, std::size_t max) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == max) {
      out += "...";
      break;
    }
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    }
  }
  return out + "\"";
}

}  // namespace vipd::admin
