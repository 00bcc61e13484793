// XdpMaps: the TableStore of the XDP fast path — the loaded program's BPF maps, found by their
// names in VIPD_TABLE_LIST, and its sweeper and control programs run with BPF_PROG_TEST_RUN.
// The only place besides XdpDataplane that speaks libbpf.
#pragma once

#include <array>
#include <memory>

#include "dataplane/TableStore.h"

struct vipd_xdp;  // the generated skeleton
struct bpf_map;

namespace vipd {

class XdpMaps : public TableStore {
 public:
  // Takes the opened (not yet loaded) skeleton; every map of the list must be in it.
  explicit XdpMaps(vipd_xdp* skel);
  ~XdpMaps() override;
  XdpMaps(const XdpMaps&) = delete;
  XdpMaps& operator=(const XdpMaps&) = delete;

  // Empty when the program holds exactly the tables of the list, else what differs.
  const std::string& mismatch() const { return mismatch_; }
  bpf_map* map(vipd_table_id table) const { return maps_[table]; }
  vipd_xdp* skel() const { return skel_.get(); }

  std::uint32_t cpus() const override;
  Result<void> lookup(vipd_table_id table, const void* key, void* value) const override;
  Result<void> update(vipd_table_id table, const void* key, const void* value) override;
  Result<void> erase(vipd_table_id table, const void* key) override;
  Result<void> forEach(vipd_table_id table, const Visit& visit) const override;
  Result<void> readArray(vipd_table_id table, void* values, std::uint32_t count) const override;
  Result<void> control(const vipd_ctl& ctl) override;
  Result<Expiry> sweep(std::uint64_t nowNs) override;

 private:
  struct SkelDeleter {
    void operator()(vipd_xdp* skel) const noexcept;
  };
  std::size_t valueBytes(vipd_table_id table) const;

  std::unique_ptr<vipd_xdp, SkelDeleter> skel_;
  std::array<bpf_map*, VIPD_TABLE__COUNT> maps_{};
  std::string mismatch_;
};

// libbpf's -errno as an Error naming what failed.
Error libbpfError(int err, const std::string& what);

}  // namespace vipd
