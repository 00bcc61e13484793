// The packet core compiled for DPDK: the same headers as the XDP program and the host core, on the
// DPDK platform. The core is C; its casts and conversions are C's.
#include "dpdk/DpdkCore.h"

#include <stdexcept>

#include "dpdk/platform_dpdk.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wcast-align"
#pragma GCC diagnostic ignored "-Wuseless-cast"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "fastpath/ctl.h"
#include "fastpath/pipeline.h"
#include "fastpath/sweep.h"
#pragma GCC diagnostic pop

namespace vipd::dpdk {

DpdkCore::DpdkCore(std::uint32_t connTableSize, std::uint32_t halfOpenSize, unsigned workers)
    : workers_(workers),
      tables_(std::make_unique<Tables>(connTableSize, halfOpenSize, workers + 1)) {
  if (haveCurrent()) throw std::logic_error("a DPDK core exists already");
  setCurrent(tables_.get());
}

DpdkCore::~DpdkCore() {
  setCurrent(nullptr);
}

void DpdkCore::enterWorker(unsigned index) {
  if (index >= workers_) throw std::logic_error("no worker " + std::to_string(index));
  thisThread().rcuId = index;
  thisThread().copy = index;
  thisThread().random ^= 0x9e3779b97f4a7c15ull * (index + 1);
  tables_->rcu().online(index);
}

int DpdkCore::process(Frame& frame) {
  vipd_dpdk_frame f{frame.m, frame.ingress, frame.ingress};
  int verdict = vipd_process(&f);
  frame.egress = f.egress;
  return verdict;
}

void DpdkCore::quiescent() {
  tables_->rcu().quiescent(thisThread().rcuId);
}
void DpdkCore::idle() {
  tables_->rcu().offline(thisThread().rcuId);
}
void DpdkCore::resume() {
  tables_->rcu().online(thisThread().rcuId);
}

DpdkCore::ControlRun::ControlRun(DpdkCore& core)
    : core_(core), lock_(core.control_), saved_(thisThread()) {
  thisThread().rcuId = core_.workers_;
  thisThread().copy = core_.workers_;
  core_.tables_->rcu().online(core_.workers_);
}

// The run ends: what it deleted may be reclaimed once the workers pass a quiescent state too.
DpdkCore::ControlRun::~ControlRun() {
  core_.tables_->rcu().offline(core_.workers_);
  core_.tables_->reclaim();
  ThreadContext& t = thisThread();
  t.rcuId = saved_.rcuId;
  t.copy = saved_.copy;
}

int DpdkCore::processControl(Frame& frame) {
  return control([&] { return process(frame); });
}

int DpdkCore::sweep(vipd_sweep& io) {
  return control([&] { return vipd_sweep_run(&io); });
}

int DpdkCore::controlOperation(const vipd_ctl& ctl) {
  return control([&] { return vipd_ctl_run(&ctl); });
}

}  // namespace vipd::dpdk
