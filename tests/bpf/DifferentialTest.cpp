// The XDP program against the C++ reference schedulers: random sequences of events (new flows,
// handshakes completing, closes, expiries, weight changes, reals added and removed) go as real
// packets through the compiled program, configured by the director, and as the same events to
// the reference; the chosen real must be the same at every step. The counts the program uses
// come from its own packets; the reference gets them from this test's model of the flows. Every
// later packet of a flow must reach the flow's real whatever changed since, or be dropped once
// that real is deleted. A variant ending in "/x" gives every real an upper threshold (-x), so
// that reals become overloaded and available again as connections come and go; "@N" sets mh's
// table size.
//
// Time, for lblc and lblcr: the program's tables run on the locality clock, which is the latest
// clock the sweeper was given (packets stamp entries with it, and the sweeper runs the periodic
// checks that fell due); the reference is given that same clock at every pick, and runs the
// checks that fell due before it picks. Sweeps in whole milliseconds (the reference's unit) keep
// the two exactly equal. Besides the usual expiries, these two also see pauses of hours or days
// (sweeps far ahead, which end every connection and run the tables' checks), and their tables
// are compared entry for entry after every new flow.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <random>
#include <sstream>

#include "director/Director.h"
#include "schedulers/Registry.h"
#include "schedulers/core/Overload.h"
#include "schedulers/lblc/Lblc.h"
#include "schedulers/lblcr/Lblcr.h"
#include "tests/bpf/XdpFixture.h"

namespace vipd::test {
namespace {

const char* kPool[] = {"198.18.1.11", "198.18.1.12", "198.18.1.13", "198.18.1.14", "198.18.1.15"};

std::string macOf(int pool) {
  return "02:00:00:00:02:0" + std::to_string(pool);
}

enum class Phase { halfOpen, established, closing };
struct Flow {
  std::uint32_t realId;
  Phase phase;
  std::string client;  // varied, so that sh hashes something
};

class DifferentialTest : public XdpTest, public ::testing::WithParamInterface<const char*> {
 protected:
  void SetUp() override {
    XdpTest::SetUp();
    if (!dp_) return;
    for (int i = 0; i < 5; ++i) {  // next hops for the whole pool
      vipd_neigh n{};
      auto m = parseMac(macOf(i));
      std::copy(m.begin(), m.end(), n.mac);
      n.ifindex = lo_;
      ASSERT_TRUE(dp_->putNeighbour(vipd_neigh_key{addr4(kPool[i]), VIPD_AF_INET}, n));
    }
    // A parameter is "name", "name:flag,flag" (the -b flags), then "@N" (mh's table size),
    // then "/x" (thresholds).
    std::string param = GetParam();
    if (param.ends_with("/x")) {
      upper_ = kUpper;
      param.resize(param.size() - 2);
    }
    sched::SchedulerConfig config;
    if (auto at = param.find('@'); at != std::string::npos) {
      config.mhTableSize = static_cast<std::uint32_t>(std::stoul(param.substr(at + 1)));
      param.resize(at);
    }
    // The locality clock starts before the service, whose table then starts on it.
    clockNs_ = wholeMs(monotonicNs());
    ASSERT_TRUE(dp_->expireConnections(clockNs_));
    DirectorSettings settings{4096, false, 1};
    settings.mhTableSize = config.mhTableSize;
    director_ = std::make_unique<Director>(*dp_, nullptr, settings);
    ASSERT_TRUE(director_->start());
    admin::Request add;
    add.command = admin::Command::addService;
    add.service = admin::ServiceConfig{};
    add.service->key = key();
    std::string name = name_ = param.substr(0, param.find(':'));
    add.service->scheduler = name;
    const auto* info = sched::findScheduler(name);
    ASSERT_NE(info, nullptr);
    if (param.find(':') != std::string::npos) {
      std::stringstream flags(param.substr(param.find(':') + 1));
      for (std::string flag; std::getline(flags, flag, ',');) {
        add.service->schedFlags.push_back(flag);
        ASSERT_TRUE(sched::applyFlag(*info, flag, config));
      }
    }
    ASSERT_EQ(director_->handle(add).error, 0);
    config.start = now();
    reference_ = info->makeReference(list(), config);
    locality_ = name == "lblc" || name == "lblcr";
  }

  sched::Instant now() const {
    return std::chrono::duration_cast<sched::Instant>(std::chrono::nanoseconds(clockNs_));
  }

  static admin::ServiceKey key() {
    return {admin::Protocol::tcp, *admin::Address::parse(kVip), kPort};
  }

  // The service's reals as the reference sees them, counts from the model of the flows.
  std::vector<sched::Real> list() {
    std::vector<sched::Real> out;
    const ServiceEntry* svc = director_->state().find(key());
    if (!svc) return out;
    for (const auto& r : svc->reals) {
      sched::Real real;
      real.id = r.realId;
      real.weight = static_cast<std::int32_t>(r.config.weight);
      real.lastWeight = static_cast<std::int32_t>(lastWeight_[r.realId]);
      std::memcpy(real.addr.bytes.data(), r.config.address.bytes.data(), 16);
      real.port = r.config.port;
      real.overloaded = overload_[r.realId].overloaded();
      for (const auto& [port, f] : flows_) {
        if (f.realId != r.realId) continue;
        (f.phase == Phase::closing ? real.inactiveConns : real.activeConns) += 1;
      }
      out.push_back(real);
    }
    return out;
  }

  // A change of the reals through the director, told to the reference as the kernel hook sees it.
  void change(admin::Command command, int pool, std::uint32_t weight = 1) {
    auto before = list();
    admin::Request r;
    r.command = command;
    r.key = key();
    r.real = admin::RealConfig{};
    r.real->address = *admin::Address::parse(kPool[pool]);
    r.real->port = kPort;
    r.real->weight = weight;
    r.real->upperThreshold = upper_;
    ASSERT_EQ(director_->handle(r).error, 0);
    std::uint32_t id = realIdOf(pool);
    if (command == admin::Command::addReal) overload_[id] = sched::OverloadTracker({upper_, 0});
    // IPVS's last_weight: set on add, kept by an edit to weight 0 (mh reads it).
    if (command == admin::Command::addReal || weight != 0) lastWeight_[id] = weight;
    auto after = list();
    reference_->realsChanged(before, after);
  }

  std::uint32_t realIdOf(int pool) {
    for (const auto& r : director_->state().find(key())->reals)
      if (r.config.address == *admin::Address::parse(kPool[pool])) return r.realId;
    return 0;
  }

  std::uint32_t realIdOfMac(const Bytes& frame) {
    for (int i = 0; i < 5; ++i) {
      auto m = parseMac(macOf(i));
      if (frame.size() >= 6 && std::equal(m.begin(), m.end(), frame.begin())) return realIdOf(i);
    }
    return 0;
  }

  void newFlow(std::mt19937& rng) {
    std::uint16_t port = nextPort_++;
    std::uint8_t host = static_cast<std::uint8_t>(1 + rng() % 200);
    std::string client = "198.18.0." + std::to_string(host);
    sched::Flow flow;
    flow.client.bytes = {198, 18, 0, host};
    flow.clientPort = port;
    flow.virt.bytes = {198, 18, 1, 100};
    flow.virtPort = kPort;
    auto reals = list();
    for (const auto& r : reals) overloadedPicks_ += r.overloaded;
    auto expected = reference_->pick(reals, flow, now());
    Bytes frame = PacketBuilder()
                      .eth(kClientMac, kDirectorMac)
                      .ipv4(client, kVip)
                      .tcp(port, kPort, kSyn)
                      .build();
    auto out = fp_->run(frame);
    ASSERT_TRUE(out);
    std::uint32_t got = out->action == XDP_TX ? realIdOfMac(out->frame) : 0;
    ASSERT_EQ(got, expected.value_or(0)) << "step " << step_ << ", flow " << port;
    if (got) {
      flows_[port] = Flow{got, Phase::halfOpen, client};
      overload_[got].bind();
    }
    if (locality_) compareTables();
  }

  void advance(Phase from, std::uint8_t flags, Phase to, std::mt19937& rng) {
    std::vector<std::uint16_t> ports;
    for (const auto& [port, f] : flows_)
      if (f.phase == from) ports.push_back(port);
    if (ports.empty()) return;
    std::uint16_t port = ports[rng() % ports.size()];
    Bytes f = PacketBuilder()
                  .eth(kClientMac, kDirectorMac)
                  .ipv4(flows_[port].client, kVip)
                  .tcp(port, kPort, flags, 1001, 5000)
                  .build();
    auto out = fp_->run(f);
    ASSERT_TRUE(out);
    // A flow stays on its real through weight changes and additions; once its real is deleted
    // its packets are dropped (expire_nodest_conn off).
    if (listed(flows_[port].realId)) {
      ASSERT_EQ(out->action, XDP_TX) << "step " << step_ << ", flow " << port;
      ASSERT_EQ(realIdOfMac(out->frame), flows_[port].realId) << "step " << step_;
    } else {
      ASSERT_EQ(out->action, XDP_DROP) << "step " << step_ << ", flow " << port;
    }
    flows_[port].phase = to;
  }

  bool listed(std::uint32_t realId) {
    for (const auto& r : director_->state().find(key())->reals)
      if (r.realId == realId) return true;
    return false;
  }

  // Half-open entries (60 s) and closing ones (FIN_WAIT, 120 s) end; established ones stay.
  void expire() {
    const std::uint64_t at = wholeMs(monotonicNs() + 130 * kSecond);
    ASSERT_TRUE(dp_->expireConnections(at));
    clockNs_ = std::max(clockNs_, at);
    for (auto it = flows_.begin(); it != flows_.end();) {
      if (it->second.phase == Phase::established) {
        ++it;
        continue;
      }
      unbind(it->second.realId);
      it = flows_.erase(it);
    }
  }

  // lblc, lblcr: hours or days go by, around the 24 h expiration and the 30 min full checks.
  // Every connection ends (the sweep is far past the longest timeout, 900 s).
  void pause(std::mt19937& rng) {
    using std::chrono::hours, std::chrono::minutes;
    const std::chrono::nanoseconds steps[] = {hours(1),
                                              hours(6),
                                              hours(12),
                                              hours(23) + minutes(50),
                                              hours(24) + minutes(10),
                                              hours(24) + minutes(25),
                                              hours(72)};
    const auto step = steps[rng() % std::size(steps)];
    const std::uint64_t at = clockNs_ + static_cast<std::uint64_t>(step.count());
    ASSERT_GT(at, monotonicNs() + 1000 * kSecond);
    ASSERT_TRUE(dp_->expireConnections(at));
    clockNs_ = at;
    for (const auto& [port, f] : flows_) unbind(f.realId);
    flows_.clear();
  }

  // The program's entry for the VIP and its count of entries, against the reference's table,
  // after a pick (the reference runs the checks that fell due when it is next asked to pick).
  void compareTables() {
    if (const auto* lblc = dynamic_cast<const sched::Lblc*>(reference_.get()))
      compareTable(lblc->table());
    if (const auto* lblcr = dynamic_cast<const sched::Lblcr*>(reference_.get()))
      compareTable(lblcr->table());
  }

  template <class Value>
  void compareTable(const sched::LocalityTable<Value>& table) {
    const std::uint32_t svcId = director_->state().find(key())->svcId;
    auto t =
        TableAccess(*fp_, vipd_table_name(VIPD_TABLE_lbsvc)).lookup<vipd_locality_table>(svcId);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->entries, table.entries()) << "step " << step_;
    auto got = TableAccess(*fp_, vipd_table_name(VIPD_TABLE_lbtab))
                   .lookup<vipd_locality>(vipd_locality_key{addr4(kVip), svcId});
    sched::Address vip;
    vip.bytes = {198, 18, 1, 100};
    const auto* want = table.find(vip);
    ASSERT_EQ(got.has_value(), want != nullptr) << "step " << step_;
    if (!want) {
      setSize_ = 0;
      return;
    }
    EXPECT_EQ(got->lastuse_ns, nsOf(want->lastUse)) << "step " << step_;
    expectSameValue(*got, want->value);
  }

  static std::uint64_t nsOf(sched::Instant t) {
    return static_cast<std::uint64_t>(std::chrono::nanoseconds(t).count());
  }

  void expectSameValue(const vipd_locality& got, sched::RealId want) {
    EXPECT_EQ(got.n_members, 1u) << "step " << step_;
    EXPECT_EQ(got.members[0], want) << "step " << step_;
  }

  // The program keeps a set oldest first; the reference, as the kernel, newest first.
  void expectSameValue(const vipd_locality& got, const sched::Lblcr::DestSet& want) {
    const auto n = std::min<std::uint32_t>(got.n_members, VIPD_LOCALITY_SET_MAX);
    std::vector<std::uint32_t> members(got.members, got.members + n);
    std::reverse(members.begin(), members.end());
    EXPECT_EQ(members, want.members) << "step " << step_;
    EXPECT_EQ(got.lastmod_ns, nsOf(want.lastMod)) << "step " << step_;
    if (want.members.size() < setSize_ && got.lastmod_ns == clockNs_) ++shrinks_;
    setSize_ = want.members.size();
  }

  // A connection of the real ended (the model's own ip_vs_unbind_dest).
  void unbind(std::uint32_t realId) {
    if (auto o = overload_.find(realId); o != overload_.end()) o->second.unbind();
  }

  bool inService(int pool) {
    for (const auto& r : director_->state().find(key())->reals)
      if (r.config.address == *admin::Address::parse(kPool[pool])) return true;
    return false;
  }

  void randomEvent(std::mt19937& rng) {
    int roll = static_cast<int>(rng() % 100), pool = static_cast<int>(rng() % 5);
    if (roll < 45) return newFlow(rng);
    if (roll < 60) return advance(Phase::halfOpen, kAck, Phase::established, rng);
    if (roll < 72) return advance(Phase::established, kFin | kAck, Phase::closing, rng);
    if (roll < 76) return locality_ && roll >= 74 ? pause(rng) : expire();
    if (roll < 86 && inService(pool))
      return change(admin::Command::editReal, pool, static_cast<std::uint32_t>(rng() % 5));
    if (roll < 94 && !inService(pool))
      return change(admin::Command::addReal, pool, 1 + static_cast<std::uint32_t>(rng() % 4));
    if (roll >= 94 && inService(pool)) {
      std::uint32_t id = realIdOf(pool);
      change(admin::Command::deleteReal, pool);
      overload_.erase(id);
    }
  }

  static constexpr std::uint32_t kUpper = 4;

  std::unique_ptr<Director> director_;
  std::unique_ptr<sched::Scheduler> reference_;
  std::map<std::uint16_t, Flow> flows_;
  std::map<std::uint32_t, sched::OverloadTracker> overload_;  // by real id
  std::map<std::uint32_t, std::uint32_t> lastWeight_;         // by real id
  std::uint32_t upper_ = 0;                                   // -x of every real
  int overloadedPicks_ = 0;  // overloaded reals seen by picks, so "/x" is not vacuous
  std::uint16_t nextPort_ = 20000;
  int step_ = 0;
  bool locality_ = false;
  std::string name_;           // the scheduler
  std::uint64_t clockNs_ = 0;  // the locality clock, whole milliseconds
  std::size_t setSize_ = 0;    // lblcr: size of the set at the last comparison
  int shrinks_ = 0;            // lblcr: sets that lost a member on a hit
};

TEST_P(DifferentialTest, TheProgramChoosesWhatTheReferenceChooses) {
  for (int pool : {0, 1, 2})
    change(admin::Command::addReal, pool, static_cast<std::uint32_t>(pool + 1));
  std::mt19937 rng(20261122);
  for (step_ = 0; step_ < 600 && !HasFatalFailure(); ++step_) randomEvent(rng);
  if (upper_) {
    EXPECT_GT(overloadedPicks_, 50) << "the thresholds never overloaded a real";
  }
  if (!locality_) return;
  // The run must have reached what makes these two different: collection and shrinking sets.
  EXPECT_GT((*dp_->counters())[VIPD_CNT_INFO_LOCALITY_EXPIRED], 0u);
  if (name_ == "lblcr") {
    EXPECT_GT(shrinks_, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Schedulers, DifferentialTest,
                         ::testing::Values("rr", "wrr", "lc", "wlc", "sed", "nq", "fo", "ovf", "sh",
                                           "sh:sh-fallback,sh-port", "dh", "twos", "mh",
                                           "mh:mh-fallback,mh-port", "mh@251",
                                           "mh:mh-fallback@131071", "lblc", "lblcr", "rr/x",
                                           "wrr/x", "wlc/x", "nq/x", "fo/x", "ovf/x",
                                           "sh:sh-fallback/x", "dh/x", "twos/x", "mh:mh-fallback/x",
                                           "lblc/x", "lblcr/x"),
                         [](const auto& param) {
                           std::string name = param.param;
                           for (auto& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace vipd::test
