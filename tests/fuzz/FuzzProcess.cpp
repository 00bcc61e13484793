// libFuzzer target over vipd_process of the host core (fuzz_process) or of the DPDK core
// (fuzz_dpdk_process, tests/fuzz/FuzzFastPath.h): an input is a configuration byte, then
// frames (and sweeps) run one after another against one configured fast path, so later frames
// meet the state earlier ones made. After every frame it checks what must hold for any input:
// a known verdict, exactly one outcome counter, a frame passed or dropped untouched, and a frame
// sent out that still fits its buffer. The sanitizers check the rest.
//
// Input: byte 0 picks the scheduler of the TCP service (and its flags), byte 1 the settings
// (sloppy_tcp, expire_nodest_conn, and with 0x10 IPv4 header checksums left as they come:
// otherwise the driver makes each untagged IPv4 header's checksum right, so that mutations get
// past the check); then records of a 2-byte big-endian length and that many
// bytes of frame; the length 0xffff instead moves the clock 10 s on and runs the sweeper.
#include <arpa/inet.h>
#include <net/if.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "abi/vipd_conn_state.h"
#include "director/Publisher.h"
#include "fastpath/verdict.h"
#include "tests/fuzz/FuzzFastPath.h"

namespace {

using HostDataplane = vipd::fuzz::FuzzFastPath;  // the host core, or DPDK's (FuzzFastPath.h)

constexpr std::uint32_t kIfindex = 1;
constexpr std::uint8_t kScheds[] = {
    VIPD_SCHED_RR,   VIPD_SCHED_WRR, VIPD_SCHED_LC,   VIPD_SCHED_WLC,  VIPD_SCHED_SED,
    VIPD_SCHED_NQ,   VIPD_SCHED_FO,  VIPD_SCHED_OVF,  VIPD_SCHED_SH,   VIPD_SCHED_DH,
    VIPD_SCHED_TWOS, VIPD_SCHED_MH,  VIPD_SCHED_LBLC, VIPD_SCHED_LBLCR};

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "fuzz_process: %s\n", what);
  std::abort();
}

vipd_addr v4(const char* text) {
  vipd_addr a{};
  inet_pton(AF_INET, text, &a.w[0]);
  return a;
}

vipd_addr v6(const char* text) {
  vipd_addr a{};
  inet_pton(AF_INET6, text, a.w);
  return a;
}

vipd_svc_key key(vipd_addr a, std::uint8_t af, std::uint16_t port, std::uint8_t proto) {
  vipd_svc_key k{};
  k.addr = a;
  k.port = htons(port);
  k.proto = proto;
  k.af = af;
  return k;
}

// Reals 1..3 on IPv4, 4..5 on IPv6, all reachable on one interface.
void addReals(HostDataplane& dp) {
  for (std::uint32_t id = 1; id <= 5; ++id) {
    vipd_real r{};
    r.af = id <= 3 ? VIPD_AF_INET : VIPD_AF_INET6;
    r.addr = id <= 3 ? v4(id == 1   ? "198.18.1.11"
                          : id == 2 ? "198.18.1.12"
                                    : "198.18.1.13")
                     : v6(id == 4 ? "2001:db8:1::11" : "2001:db8:1::12");
    r.port = htons(80);
    r.flags = VIPD_REAL_F_LIVE;
    if (id == 3 || id == 5) r.flags |= VIPD_REAL_F_TUNNEL;  // the encapsulation path too
    r.svc_id = id <= 3 ? 1 : 4;
    r.u_threshold = id == 2 ? 3 : 0;
    (void)dp.putReal(id, r);
    vipd_neigh n{{0x02, 0, 0, 0, 1, static_cast<std::uint8_t>(id)}, 0, kIfindex, {}};
    n.src = id <= 3 ? v4("198.18.0.2") : v6("2001:db8:1::2");
    (void)dp.putNeighbour(vipd_neigh_key{r.addr, r.af}, n);
  }
}

vipd_svc generation(std::uint32_t svcId, std::uint8_t sched, std::vector<std::uint32_t> ids) {
  vipd_svc s{};
  s.svc_id = svcId;
  s.sched = sched;
  s.generation = 1;
  s.n_dests = static_cast<std::uint16_t>(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i)
    s.dests[i] =
        vipd_dest{ids[i], static_cast<std::uint32_t>(i + 1), ids[i] == 2 ? 3u : 0u, 0, 0, {}};
  std::uint32_t mw = static_cast<std::uint32_t>(ids.size());
  s.wrr_mw = mw;
  s.wrr_di = 1;
  for (std::uint16_t slot = 0; slot < VIPD_SLOTS; ++slot)
    s.slots[slot] = static_cast<std::uint16_t>(slot % ids.size() + 1);
  vipd::deriveLookups(s);
  return s;
}

void configure(HostDataplane& dp, std::uint8_t schedByte, std::uint8_t settings) {
  (void)dp.putInterface(kIfindex, vipd_iface{{0x02, 0, 0, 0, 0, 2}, 0});
  vipd_config cfg{VIPD_TCP_TIMEOUTS_DEFAULT, VIPD_UDP_TIMEOUT_DEFAULT, settings & 3u, 0};
  if (settings & 4) cfg.flags |= VIPD_CFG_F_SLOPPY_TCP;
  if (settings & 8) cfg.flags |= VIPD_CFG_F_EXPIRE_NODEST;
  (void)dp.putConfig(cfg);
  addReals(dp);
  std::uint8_t sched = kScheds[schedByte % sizeof(kScheds)];
  vipd_svc tcp = generation(1, sched, {3, 2, 1});
  if (schedByte & 0x80) tcp.flags |= VIPD_SVC_F_FALLBACK | VIPD_SVC_F_HASH_PORT;
  if (sched == VIPD_SCHED_MH) {
    tcp.mh_size = 251;
    std::vector<std::uint16_t> table(251);
    for (std::size_t i = 0; i < table.size(); ++i) table[i] = static_cast<std::uint16_t>(i % 3 + 1);
    (void)dp.putMhTable(1, 1, table);
  }
  (void)dp.resetServiceState(1);
  (void)dp.putService(key(v4("198.18.1.100"), VIPD_AF_INET, 80, IPPROTO_TCP), tcp);
  vipd_svc udp = generation(2, VIPD_SCHED_RR, {1, 3});
  (void)dp.putService(key(v4("198.18.1.100"), VIPD_AF_INET, 53, IPPROTO_UDP), udp);
  vipd_svc persistent = generation(3, VIPD_SCHED_WLC, {1, 2});
  persistent.persist_timeout = 300;
  persistent.persist_mask = v4("255.255.255.0");
  (void)dp.putService(key(v4("198.18.1.101"), VIPD_AF_INET, 0, IPPROTO_TCP), persistent);
  (void)dp.putService(key(v6("2001:db8::100"), VIPD_AF_INET6, 80, IPPROTO_TCP),
                      generation(4, VIPD_SCHED_RR, {5, 4}));
  (void)dp.putVipAddress(vipd_vip_key{v4("198.18.1.100"), VIPD_AF_INET}, 2);
  (void)dp.putVipAddress(vipd_vip_key{v4("198.18.1.101"), VIPD_AF_INET}, 1);
  (void)dp.putVipAddress(vipd_vip_key{v6("2001:db8::100"), VIPD_AF_INET6}, 1);
}

int outcomeOf(int counter) {
#define VIPD_OUTCOME_OF(name, label, outcome) \
  if (counter == VIPD_CNT_##name) return VIPD_OUTCOME_##outcome;
  VIPD_COUNTER_LIST(VIPD_OUTCOME_OF)
#undef VIPD_OUTCOME_OF
  return VIPD_OUTCOME_info;
}

// The frame with its IPv4 header checksum made right, when it has an untagged IPv4 header.
std::vector<std::uint8_t> withIpChecksum(std::span<const std::uint8_t> frame) {
  std::vector<std::uint8_t> f(frame.begin(), frame.end());
  if (f.size() < 34 || f[12] != 0x08 || f[13] != 0x00) return f;
  std::size_t ihl = std::size_t{f[14] & 0x0fu} * 4;
  if (ihl < 20 || 14 + ihl > f.size()) return f;
  f[24] = f[25] = 0;
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < ihl; i += 2) sum += std::uint32_t{f[14 + i]} << 8 | f[15 + i];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  f[24] = static_cast<std::uint8_t>(~sum >> 8);
  f[25] = static_cast<std::uint8_t>(~sum);
  return f;
}

void runFrame(HostDataplane& dp, std::span<const std::uint8_t> frame) {
  auto before = dp.counters();
  auto out = dp.process(frame, kIfindex);
  auto after = dp.counters();
  int outcomes = 0, outcome = -1;
  for (int c = 0; c < VIPD_CNT__MAX; ++c) {
    auto delta = (*after)[static_cast<std::size_t>(c)] - (*before)[static_cast<std::size_t>(c)];
    if (outcomeOf(c) == VIPD_OUTCOME_info || delta == 0) continue;
    outcomes += static_cast<int>(delta);
    outcome = outcomeOf(c);
  }
  if (outcomes != 1) broken("a frame ended in other than exactly one outcome counter");
  bool untouched =
      out.frame.size() == frame.size() && std::equal(frame.begin(), frame.end(), out.frame.begin());
  switch (out.verdict) {
    case VIPD_PASS:
      if (outcome != VIPD_OUTCOME_pass || !untouched) broken("a pass changed or miscounted");
      break;
    case VIPD_DROP:
      if (outcome != VIPD_OUTCOME_drop) broken("a drop counted as something else");
      break;
    case VIPD_TX:
    case VIPD_REDIRECT:
      if (outcome != VIPD_OUTCOME_tx) broken("a frame sent counted as something else");
      if (out.frame.size() < 14 || out.frame.size() > HostDataplane::kBuffer)
        broken("a frame sent out of its buffer's bounds");
      break;
    default:
      broken("an unknown verdict");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  HostDataplane dp(1024, 256);
  std::uint64_t clock = 1000 * VIPD_NS_PER_S;
  dp.setClock(clock);
  configure(dp, data[0], data[1]);
  std::size_t at = 2;
  while (at + 2 <= size) {
    std::size_t len = static_cast<std::size_t>(data[at] << 8 | data[at + 1]);
    at += 2;
    if (len == 0xffff) {
      clock += 10 * VIPD_NS_PER_S;
      dp.setClock(clock);
      (void)dp.expireConnections(0);
      continue;
    }
    len = std::min(len, size - at);
    if (len > HostDataplane::kRoom) return 0;
    std::span<const std::uint8_t> frame(data + at, len);
    if (data[1] & 0x10)
      runFrame(dp, frame);
    else
      runFrame(dp, withIpChecksum(frame));
    at += len;
  }
  return 0;
}
