// vipadm: the ipvsadm-compatible command line of vipd. Everything happens in the library
// (Session, Execute, Listing) and in ipvsadm/; this only wires the real socket, names and streams.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "admin/Client.h"
#include "ipvsadm/Names.h"
#include "tools/vipadm/Session.h"

int main(int argc, char** argv) {
  using namespace vipd::vipadm;
  const std::vector<std::string> args(argv, argv + argc);
  const char* env = std::getenv("VIPD_SOCKET");
  const std::string socket = env != nullptr && *env != '\0' ? env : kDefaultSocket;
  vipd::ipvsadm::SystemNames names;
  SessionIo io{std::cin, std::cout, std::cerr};
  return runVipadm(args, socket, vipd::admin::call, names, io);
}
