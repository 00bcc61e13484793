// Every check kind against servers on loopback: healthy, refusing, hanging, wrong status, wrong
// body, slower than the timeout, garbage and oversized answers, resets.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>

#include "TestServers.h"
#include "healthcheck/Prober.h"

namespace vipd::health {
namespace {

using namespace testing;
using std::chrono::milliseconds;

Target loopback(std::uint16_t port) {
  return Target{*admin::Address::parse("127.0.0.1"), port};
}

CheckSpec kind(Kind k) {
  CheckSpec s;
  s.kind = k;
  s.timeout = milliseconds(400);
  return s;
}

Outcome probe(const CheckSpec& spec, const Target& t) {
  boost::asio::io_context io;
  AsioProber prober(io);
  std::optional<Outcome> got;
  int calls = 0;
  prober.run(spec, t, [&](Outcome o) {
    got = std::move(o);
    ++calls;
  });
  io.run();  // returns once the attempt holds nothing more
  EXPECT_EQ(calls, 1);
  return got.value_or(Outcome{Reason::error, "no outcome", {}});
}

TEST(TcpProbe, PassesOnAListener) {
  TcpServer s(Behaviour::hang);
  EXPECT_EQ(probe(kind(Kind::tcp), loopback(s.port())).reason, Reason::none);
}

TEST(TcpProbe, FailsRefusedOnAClosedPort) {
  EXPECT_EQ(probe(kind(Kind::tcp), loopback(closedPort())).reason, Reason::refused);
}

TEST(TcpProbe, TimesOutOnABlackHole) {
  FullBacklog hole;
  EXPECT_EQ(probe(kind(Kind::tcp), loopback(hole.port())).reason, Reason::timeout);
}

TEST(TcpProbe, GoesToTheConfiguredPort) {
  TcpServer s(Behaviour::hang);
  CheckSpec spec = kind(Kind::tcp);
  spec.port = s.port();
  EXPECT_EQ(probe(spec, loopback(closedPort())).reason, Reason::none);
}

TEST(HttpProbe, PassesOn200) {
  TcpServer s(Behaviour::reply, httpResponse(200, "hello"));
  EXPECT_EQ(probe(kind(Kind::http), loopback(s.port())).reason, Reason::none);
}

TEST(HttpProbe, FailsStatusOn503) {
  TcpServer s(Behaviour::reply, httpResponse(503, "busy"));
  auto o = probe(kind(Kind::http), loopback(s.port()));
  EXPECT_EQ(o.reason, Reason::status);
  EXPECT_EQ(o.detail, "status 503");
}

TEST(HttpProbe, ExpectedStatusCodesAreConfigurable) {
  TcpServer s(Behaviour::reply, httpResponse(404, ""));
  CheckSpec spec = kind(Kind::http);
  spec.statusCodes = {{404, 404}};
  EXPECT_EQ(probe(spec, loopback(s.port())).reason, Reason::none);
}

TEST(HttpProbe, FailsBodyWithoutTheExpectedText) {
  TcpServer s(Behaviour::reply, httpResponse(200, "all is lost"));
  CheckSpec spec = kind(Kind::http);
  spec.bodyContains = "all is well";
  EXPECT_EQ(probe(spec, loopback(s.port())).reason, Reason::body);
  spec.bodyContains = "is lost";
  EXPECT_EQ(probe(spec, loopback(s.port())).reason, Reason::none);
}

TEST(HttpProbe, ChecksTheBodyDigest) {
  TcpServer s(Behaviour::reply, httpResponse(200, "hello"));
  CheckSpec spec = kind(Kind::http);
  spec.digest = "5d41402abc4b2a76b9719d911017c592";  // md5("hello")
  EXPECT_EQ(probe(spec, loopback(s.port())).reason, Reason::none);
  spec.digest = "00000000000000000000000000000000";
  EXPECT_EQ(probe(spec, loopback(s.port())).reason, Reason::body);
}

TEST(HttpProbe, FailsRefused) {
  EXPECT_EQ(probe(kind(Kind::http), loopback(closedPort())).reason, Reason::refused);
}

TEST(HttpProbe, TimesOutOnAServerThatNeverAnswers) {
  TcpServer s(Behaviour::hang);
  EXPECT_EQ(probe(kind(Kind::http), loopback(s.port())).reason, Reason::timeout);
}

TEST(HttpProbe, TimesOutOnAServerSlowerThanTheTimeout) {
  TcpServer s(Behaviour::slow, httpResponse(200, "late"), milliseconds(800));
  EXPECT_EQ(probe(kind(Kind::http), loopback(s.port())).reason, Reason::timeout);
}

TEST(HttpProbe, PassesOnAServerWithinTheTimeout) {
  TcpServer s(Behaviour::slow, httpResponse(200, "soon"), milliseconds(50));
  EXPECT_EQ(probe(kind(Kind::http), loopback(s.port())).reason, Reason::none);
}

TEST(HttpProbe, FailsGarbageOnSomethingElseThanHttp) {
  TcpServer s(Behaviour::reply, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
  EXPECT_EQ(probe(kind(Kind::http), loopback(s.port())).reason, Reason::garbage);
}

TEST(HttpProbe, FailsOversizedOnABodyAboveTheLimit) {
  TcpServer s(Behaviour::reply, httpResponse(200, std::string(3u << 20, 'x')));
  auto o = probe(kind(Kind::http), loopback(s.port()));
  EXPECT_EQ(o.reason, Reason::oversized) << o.detail;
}

TEST(HttpProbe, FailsOversizedOnHugeHeaders) {
  std::string headers = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 2000; ++i) headers += "X-Filler-" + std::to_string(i) + ": yes\r\n";
  TcpServer s(Behaviour::reply, headers + "\r\n");
  EXPECT_EQ(probe(kind(Kind::http), loopback(s.port())).reason, Reason::oversized);
}

TEST(HttpProbe, ANeverEndingResponseIsBoundedNotRead) {
  TcpServer s(Behaviour::endless, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  // After the first copy, the same text is no chunk size: garbage; a body without an end is
  // stopped by the limit or the timeout. Never read to the end, never a pass.
  auto r = probe(kind(Kind::http), loopback(s.port())).reason;
  EXPECT_TRUE(r == Reason::garbage || r == Reason::oversized || r == Reason::timeout)
      << reasonName(r);
}

TEST(HttpProbe, AnEndlessBodyFailsOversized) {
  TcpServer s(Behaviour::endless, std::string(65536, 'y'));
  // The first copy starts with 'y', not a status line: garbage. An endless body after a valid
  // head is the next case.
  EXPECT_EQ(probe(kind(Kind::http), loopback(s.port())).reason, Reason::garbage);
}

TEST(HttpProbe, AnEndlessBodyAfterAValidHeadFailsOversized) {
  // The head says nothing of the length: the body runs until the connection closes, which this
  // server never does; the limit ends it.
  TcpServer s(Behaviour::slow, "HTTP/1.0 200 OK\r\n\r\n" + std::string(4u << 20, 'z'),
              milliseconds(0));
  CheckSpec spec = kind(Kind::http);
  spec.timeout = milliseconds(3000);
  EXPECT_EQ(probe(spec, loopback(s.port())).reason, Reason::oversized);
}

TEST(HttpProbe, FailsResetOnAConnectionResetMidRead) {
  TcpServer s(Behaviour::reset);
  EXPECT_EQ(probe(kind(Kind::http), loopback(s.port())).reason, Reason::reset);
}

TEST(HttpProbe, FailsResetOnATruncatedBody) {
  TcpServer s(Behaviour::reply, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
  EXPECT_EQ(probe(kind(Kind::http), loopback(s.port())).reason, Reason::reset);
}

TEST(HttpProbe, SendsTheConfiguredHostAndPath) {
  TcpServer s(Behaviour::reply, httpResponse(200, ""));
  CheckSpec spec = kind(Kind::http);
  spec.path = "/healthz?full=1";
  spec.host = "www.example";
  EXPECT_EQ(probe(spec, loopback(s.port())).reason, Reason::none);
}

// openssl s_server -www (a status page, HTTP/1.0 200) with a fresh self-signed certificate for
// "health.test".
class TlsServer {
 public:
  TlsServer() {
    char d[] = "/tmp/vipd-tls-XXXXXX";
    dir_ = mkdtemp(d);
    port_ = closedPort();
    std::string gen =
        "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=health.test "
        "-addext subjectAltName=DNS:health.test -days 1 -keyout " +
        dir_ + "/key.pem -out " + dir_ + "/cert.pem >/dev/null 2>&1";
    if (std::system(gen.c_str()) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      std::string port = std::to_string(port_);
      execlp("openssl", "openssl", "s_server", "-quiet", "-www", "-accept", port.c_str(), "-cert",
             (dir_ + "/cert.pem").c_str(), "-key", (dir_ + "/key.pem").c_str(),
             static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 100; ++i) {
      if (probe(kind(Kind::tcp), loopback(port_)).ok()) return;
      usleep(50'000);
    }
  }
  ~TlsServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    std::system(("rm -rf " + dir_).c_str());
  }
  std::uint16_t port() const { return port_; }
  std::string ca() const { return dir_ + "/cert.pem"; }

 private:
  std::string dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

CheckSpec https() {
  CheckSpec spec = kind(Kind::https);
  spec.timeout = milliseconds(3000);
  return spec;
}

TEST(HttpsProbe, PassesWithoutVerificationByDefault) {
  TlsServer s;
  EXPECT_EQ(probe(https(), loopback(s.port())).reason, Reason::none);
}

TEST(HttpsProbe, VerificationFailsAnUntrustedCertificate) {
  TlsServer s;
  CheckSpec spec = https();
  spec.verifyCertificate = true;
  spec.sniName = "health.test";
  EXPECT_EQ(probe(spec, loopback(s.port())).reason, Reason::tls);
}

TEST(HttpsProbe, VerificationPassesWithTheCaAndTheName) {
  TlsServer s;
  CheckSpec spec = https();
  spec.verifyCertificate = true;
  spec.caFile = s.ca();
  spec.sniName = "health.test";
  EXPECT_EQ(probe(spec, loopback(s.port())).reason, Reason::none);
  spec.sniName = "other.test";
  EXPECT_EQ(probe(spec, loopback(s.port())).reason, Reason::tls);
}

TEST(HttpsProbe, APlainHttpServerFailsTheHandshake) {
  TcpServer s(Behaviour::reply, httpResponse(200, "plain"));
  auto r = probe(https(), loopback(s.port())).reason;
  EXPECT_TRUE(r == Reason::tls || r == Reason::reset) << reasonName(r);
}

TEST(UdpProbe, PassesOnAReply) {
  UdpServer s("pong");
  CheckSpec spec = kind(Kind::udp);
  spec.payload = "ping";
  EXPECT_EQ(probe(spec, loopback(s.port())).reason, Reason::none);
}

TEST(UdpProbe, PortUnreachableFailsRefused) {
  CheckSpec spec = kind(Kind::udp);
  spec.payload = "ping";
  spec.requireReply = false;
  EXPECT_EQ(probe(spec, loopback(closedPort())).reason, Reason::refused);
}

TEST(UdpProbe, SilenceFailsWhenAReplyIsRequired) {
  UdpServer s("");
  CheckSpec spec = kind(Kind::udp);
  spec.payload = "ping";
  EXPECT_EQ(probe(spec, loopback(s.port())).reason, Reason::timeout);
}

TEST(UdpProbe, SilencePassesWithoutRequireReply) {
  UdpServer s("");
  CheckSpec spec = kind(Kind::udp);
  spec.payload = "ping";
  spec.requireReply = false;
  EXPECT_EQ(probe(spec, loopback(s.port())).reason, Reason::none);
}

TEST(UdpProbe, AReplyMustMatchThePattern) {
  UdpServer s("\x01\x02\x03");
  CheckSpec spec = kind(Kind::udp);
  spec.payload = "ping";
  spec.reply = HexPattern{"01x2"};
  EXPECT_EQ(probe(spec, loopback(s.port())).reason, Reason::none);
  spec.reply = HexPattern{"0103"};
  EXPECT_EQ(probe(spec, loopback(s.port())).reason, Reason::reply);
}

TEST(UdpProbe, AReplyLongerThanTheMaximumFails) {
  UdpServer s(std::string(300, 'a'));
  CheckSpec spec = kind(Kind::udp);
  spec.payload = "ping";
  EXPECT_EQ(probe(spec, loopback(s.port())).reason, Reason::reply);
}

std::string dnsAnswer(std::uint8_t rcode) {
  // After the id (echoed by the server): QR|RD, RA|rcode, counts of zero.
  return std::string("\x81", 1) + std::string(1, static_cast<char>(0x80 | rcode)) +
         std::string(8, '\0');
}

TEST(DnsProbe, PassesOnNoError) {
  UdpServer s(dnsAnswer(0));
  s.echoId(true);
  EXPECT_EQ(probe(kind(Kind::dns), loopback(s.port())).reason, Reason::none);
}

TEST(DnsProbe, FailsRcodeOnServfail) {
  UdpServer s(dnsAnswer(2));
  s.echoId(true);
  auto o = probe(kind(Kind::dns), loopback(s.port()));
  EXPECT_EQ(o.reason, Reason::rcode);
}

TEST(DnsProbe, FailsGarbageOnAnAnswerToAnotherQuery) {
  UdpServer s("\x12\x34" + dnsAnswer(0));  // a fixed id, not the query's
  auto r = probe(kind(Kind::dns), loopback(s.port())).reason;
  // One query in 65536 draws id 0x1234 and passes; any other draw is garbage.
  EXPECT_TRUE(r == Reason::garbage || r == Reason::none);
}

TEST(DnsProbe, FailsGarbageOnAShortDatagram) {
  UdpServer s("xyz");
  EXPECT_EQ(probe(kind(Kind::dns), loopback(s.port())).reason, Reason::garbage);
}

TEST(DnsProbe, TimesOutOnSilence) {
  UdpServer s("");
  EXPECT_EQ(probe(kind(Kind::dns), loopback(s.port())).reason, Reason::timeout);
}

TEST(DnsProbe, FailsRefusedOnAClosedPort) {
  EXPECT_EQ(probe(kind(Kind::dns), loopback(closedPort())).reason, Reason::refused);
}

CheckSpec command(const std::string& script) {
  CheckSpec spec = kind(Kind::exec);
  spec.command = {"/bin/sh", "-c", script};
  return spec;
}

TEST(ExecProbe, ExitZeroPasses) {
  EXPECT_EQ(probe(command("exit 0"), loopback(80)).reason, Reason::none);
}

TEST(ExecProbe, ExitOneFails) {
  auto o = probe(command("exit 1"), loopback(80));
  EXPECT_EQ(o.reason, Reason::exit);
  EXPECT_EQ(o.detail, "exit status 1");
}

TEST(ExecProbe, DynamicExitSetsTheWeight) {
  CheckSpec spec = command("exit 7");
  spec.dynamic = true;
  auto o = probe(spec, loopback(80));
  EXPECT_EQ(o.reason, Reason::none);
  EXPECT_EQ(o.weight, 5u);
  spec.dynamic = false;
  EXPECT_EQ(probe(spec, loopback(80)).reason, Reason::exit);
}

TEST(ExecProbe, KnowsTheRealFromItsEnvironment) {
  EXPECT_EQ(
      probe(command("test \"$VIPD_REAL_ADDRESS:$VIPD_REAL_PORT\" = 127.0.0.1:8080"), loopback(8080))
          .reason,
      Reason::none);
}

TEST(ExecProbe, ATimeoutKillsTheWholeProcessGroup) {
  char dir[] = "/tmp/vipd-exec-XXXXXX";
  ASSERT_TRUE(mkdtemp(dir));
  std::string marker = std::string(dir) + "/survived";
  chmod(dir, 0777);  // the command may run as nobody
  // The child of the command would write the marker after the timeout, were it not killed.
  auto o = probe(command("(sleep 1; touch " + marker + ") & sleep 5"), loopback(80));
  EXPECT_EQ(o.reason, Reason::timeout);
  usleep(1'500'000);
  EXPECT_FALSE(std::ifstream(marker).good());
  std::remove(marker.c_str());
  rmdir(dir);
}

TEST(ExecProbe, RunsAsTheConfiguredUnprivilegedUser) {
  if (geteuid() != 0) GTEST_SKIP() << "SKIPPED LOUDLY: only root can run a command as another user";
  EXPECT_EQ(probe(command("test \"$(id -u)\" = \"$(id -u nobody)\""), loopback(80)).reason,
            Reason::none);
}

TEST(ExecProbe, AMissingCommandFails) {
  CheckSpec spec = kind(Kind::exec);
  spec.command = {"/nonexistent/check"};
  EXPECT_EQ(probe(spec, loopback(80)).reason, Reason::exit);
}

}  // namespace
}  // namespace vipd::health
