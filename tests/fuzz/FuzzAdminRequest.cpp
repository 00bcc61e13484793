// libFuzzer target over the daemon's admin request decoder (admin/RequestDecoder.cpp), the code
// that meets whatever a local client writes to the admin socket. An input is one request line as
// a client would send it. For any input it checks what vipd relies on: decoding never throws or
// crashes; a refusal has an errno and a message that encodes and decodes back unchanged (so the
// answer to a bad request always reaches the client); a request that decodes encodes to a line
// that decodes to the same request (nothing the daemon accepts is lost or changed on the way);
// and a response quoting the raw input still encodes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "admin/Protocol.h"

namespace {

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "fuzz_admin: %s\n", what);
  std::abort();
}

void checkRefusal(const vipd::Error& e) {
  if (e.code == 0 || e.message.empty()) broken("a refusal without errno or message");
  vipd::admin::Response r;
  r.error = e.code;
  r.message = e.message;
  vipd::admin::Response back = vipd::admin::decodeResponse(vipd::admin::encode(r));
  if (back.error != e.code || back.message != e.message)
    broken("a refusal's message did not survive encoding");
}

void checkRoundTrip(const vipd::admin::Request& request) {
  auto again = vipd::admin::decodeRequest(vipd::admin::encode(request));
  if (!again) broken("an accepted request, encoded again, was refused");
  if (!(*again == request)) broken("an accepted request changed on its way through encoding");
  if (vipd::admin::describe(request).empty()) broken("a request described as nothing");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto request = vipd::admin::decodeRequest(line);
  if (request)
    checkRoundTrip(*request);
  else
    checkRefusal(request.error());
  vipd::admin::Response echo;
  echo.message.assign(line);
  (void)vipd::admin::decodeResponse(vipd::admin::encode(echo));
  return 0;
}
