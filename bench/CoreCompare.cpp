// core_compare: the packet core's XDP build beside an earlier build of the program, on the same
// maps, in one session. `core_compare OLD.bpf.o NEW.bpf.o [ROUNDS]` loads both objects onto the
// maps an XdpDataplane pinned and configured (rr over 8 reals), then, round after round with the
// order of the two alternating, measures ns per packet by BPF_PROG_TEST_RUN for
//   new_flow     a SYN of a flow never seen, through the bench_newflow wrapper
//   established  an ACK of an established connection, repeated
// Prints TSV: cell, program, median, min, max, every run. Asserts no time.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/NewFlowRunner.h"
#include "bench/Setup.h"
#include "tests/support/PacketBuilder.h"
#include "tests/support/TempBpffs.h"

namespace vipd::bench {
namespace {

constexpr int kDefaultRounds = 11;  // at least 9 runs of each cell

// Whether the map pinned at `path` has the shape `map` declares (an earlier build's counter
// table, say, may be shorter).
bool sameShape(const std::string& path, const bpf_map* map) {
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0) return false;
  bpf_map_info info{};
  std::uint32_t len = sizeof(info);
  bool same =
      bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.key_size == bpf_map__key_size(map) &&
      info.value_size == bpf_map__value_size(map) && info.max_entries == bpf_map__max_entries(map);
  close(fd);
  return same;
}

// A vipd_xdp object loaded onto the maps pinned in a directory (never pinning its own). A map
// whose shape differs from the pinned one (an earlier build's counters) stays its own.
class LoadedProgram {
 public:
  LoadedProgram(const std::string& path, const std::string& pinDir, std::uint32_t halfOpen) {
    obj_ = bpf_object__open_file(path.c_str(), nullptr);
    if (!obj_) fail("opening " + path);
    bpf_map__set_max_entries(bpf_object__find_map_by_name(obj_, "vipd_conns_v1"), 4096);
    bpf_map__set_max_entries(bpf_object__find_map_by_name(obj_, "vipd_syns_v1"), halfOpen);
    bpf_map* map = nullptr;
    bpf_object__for_each_map(map, obj_) {
      if (bpf_map__is_internal(map)) continue;
      std::string pin = pinDir + "/" + bpf_map__name(map);
      if (!sameShape(pin, map)) continue;
      if (bpf_map__set_pin_path(map, pin.c_str())) fail("pin path " + pin);
    }
    if (bpf_object__load(obj_)) fail("loading " + path + " onto the maps in " + pinDir);
    fd_ = bpf_program__fd(bpf_object__find_program_by_name(obj_, "vipd_xdp"));
  }
  ~LoadedProgram() { bpf_object__close(obj_); }
  LoadedProgram(const LoadedProgram&) = delete;
  LoadedProgram& operator=(const LoadedProgram&) = delete;
  int fd() const { return fd_; }

 private:
  bpf_object* obj_ = nullptr;
  int fd_ = -1;
};

std::uint32_t testRun(int fd, test::Bytes frame, std::uint32_t lo, std::uint32_t repeat) {
  xdp_md ctx{};
  ctx.data_end = static_cast<std::uint32_t>(frame.size());
  ctx.ingress_ifindex = lo;
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data(),
              .data_size_in = static_cast<std::uint32_t>(frame.size()), .ctx_in = &ctx,
              .ctx_size_in = sizeof(ctx), .repeat = static_cast<int>(repeat));
  if (bpf_prog_test_run_opts(fd, &opts)) fail("BPF_PROG_TEST_RUN");
  if (opts.retval != XDP_TX) fail("unexpected XDP action " + std::to_string(opts.retval));
  return opts.duration;
}

test::Bytes tcpSegment(std::uint8_t flags) {
  return test::PacketBuilder()
      .eth("02:00:00:00:00:01", "02:00:00:00:00:02")
      .ipv4("10.0.0.1", "198.18.100.100")
      .tcp(1024, 80, flags)
      .build();
}

struct Series {
  std::vector<std::uint32_t> ns;
  void print(const char* cell, const char* program) const {
    auto v = ns;
    std::sort(v.begin(), v.end());
    std::string runs;
    for (auto x : ns) runs += (runs.empty() ? "" : ",") + std::to_string(x);
    std::printf("%s\t%s\t%u\t%u\t%u\t%s\n", cell, program, v[v.size() / 2], v.front(), v.back(),
                runs.c_str());
  }
};

// The established-flow packet: an ACK of a connection the handshake put in the table.
std::uint32_t established(XdpDataplane& dp, int fd, std::uint32_t lo) {
  expireAll(dp);
  testRun(fd, tcpSegment(test::kSyn), lo, 1);
  testRun(fd, tcpSegment(test::kAck), lo, 1);
  testRun(fd, tcpSegment(test::kAck), lo, kRepeat / 10);  // warm-up
  return testRun(fd, tcpSegment(test::kAck), lo, kRepeat);
}

std::uint32_t newFlow(XdpDataplane& dp, NewFlowRunner& runner, int fd, std::uint32_t lo) {
  check(runner.setTargetFd(fd));
  test::Bytes syn = tcpSegment(test::kSyn);
  std::uint32_t ns = 0;
  for (std::uint32_t repeat : {kRepeat / 10, kRepeat}) {
    expireAll(dp);
    TestRun r = check(runner.run(syn, lo, repeat));
    if (r.retval != XDP_TX) fail("unexpected XDP action " + std::to_string(r.retval));
    ns = r.durationNs;
  }
  expireAll(dp);
  return ns;
}

int compareMain(const std::string& oldObj, const std::string& newObj, int rounds) {
  pinToLastCpu();
  test::TempBpffs pins;
  if (!pins.ok()) fail(pins.error());
  const std::uint32_t halfOpen = 2 * kRepeat;
  auto dp = check(XdpDataplane::open({pins.dir(), 4096, halfOpen}));
  std::uint32_t lo = if_nametoindex("lo");
  setUp(*dp, lo);
  publish(*dp, *sched::findScheduler("rr"), 8, 1);
  LoadedProgram before(oldObj, pins.dir(), halfOpen), after(newObj, pins.dir(), halfOpen);
  auto runner = check(NewFlowRunner::open(pins.dir()));
  Series newFlowOld, newFlowNew, estOld, estNew;
  for (int round = 0; round < rounds; ++round) {
    bool oldFirst = round % 2 == 0;
    for (int k = 0; k < 2; ++k) {
      bool old = (k == 0) == oldFirst;
      const LoadedProgram& p = old ? before : after;
      (old ? newFlowOld : newFlowNew).ns.push_back(newFlow(*dp, *runner, p.fd(), lo));
      (old ? estOld : estNew).ns.push_back(established(*dp, p.fd(), lo));
    }
    std::fprintf(stderr, "core_compare: round %d of %d done\n", round + 1, rounds);
  }
  std::printf("# cell\tprogram\tmedian_ns\tmin_ns\tmax_ns\truns_ns\n");
  newFlowOld.print("new_flow", "before");
  newFlowNew.print("new_flow", "after");
  estOld.print("established", "before");
  estNew.print("established", "after");
  check(dp->unpinMaps());
  return 0;
}

}  // namespace
}  // namespace vipd::bench

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: core_compare OLD.bpf.o NEW.bpf.o [ROUNDS]\n");
    return 2;
  }
  try {
    return vipd::bench::compareMain(argv[1], argv[2],
                                    argc > 3 ? std::stoi(argv[3]) : vipd::bench::kDefaultRounds);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "core_compare: %s\n", e.what());
    return 1;
  }
}
