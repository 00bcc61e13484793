// config_stream's splitting of a -R line.
#include "ipvsadm/Restore.h"

namespace vipd::ipvsadm {

std::vector<std::string> splitRestoreLine(const std::string& line) {
  std::vector<std::string> words;
  std::size_t pos = 0;
  while ((pos = line.find_first_not_of(" \t\r", pos)) != std::string::npos) {
    const std::size_t end = line.find_first_of(" \t\r", pos);
    std::string word = line.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (word != "ipvsadm" && word != "vipadm") words.push_back(std::move(word));
    pos = end;
  }
  return words;
}

}  // namespace vipd::ipvsadm
