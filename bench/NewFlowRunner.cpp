// NewFlowRunner: the wrapper's skeleton, and vipd_xdp found among the loaded programs by its name
// and by holding the map pinned as <pinDir>/vipd_svcs_v1 (XdpDataplane does not expose its fd).
#include "bench/NewFlowRunner.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "abi/vipd_maps.h"
// The generated skeleton is C; its casts are its own.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#include "bench_newflow.skel.h"
#pragma GCC diagnostic pop

namespace vipd::bench {
namespace {

Error sysError(int err, const std::string& what) {
  int code = err < 0 ? -err : err;
  return makeError(code, what + ": " + std::strerror(code));
}

Result<std::uint32_t> pinnedMapId(const std::string& path) {
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0) return sysError(errno, "opening pinned map " + path);
  bpf_map_info info{};
  std::uint32_t len = sizeof(info);
  int err = bpf_obj_get_info_by_fd(fd, &info, &len);
  close(fd);
  if (err) return sysError(err, "reading map info of " + path);
  return info.id;
}

// Whether the program open as `fd` is an XDP program named vipd_xdp that uses map `mapId`.
bool isVipdUsing(int fd, std::uint32_t mapId) {
  bpf_prog_info info{};
  std::uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_PROG_TYPE_XDP ||
      std::strcmp(info.name, "vipd_xdp") != 0)
    return false;
  std::vector<std::uint32_t> ids(info.nr_map_ids);
  bpf_prog_info maps{};
  maps.nr_map_ids = info.nr_map_ids;
  maps.map_ids = reinterpret_cast<std::uintptr_t>(ids.data());
  len = sizeof(maps);
  if (bpf_obj_get_info_by_fd(fd, &maps, &len)) return false;
  return std::find(ids.begin(), ids.end(), mapId) != ids.end();
}

Result<int> findVipdProgram(const std::string& pinDir) {
  auto mapId = pinnedMapId(pinDir + "/" + vipd_table_name(VIPD_TABLE_svcs));
  if (!mapId) return mapId.error();
  for (std::uint32_t id = 0; bpf_prog_get_next_id(id, &id) == 0;) {
    int fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0) continue;  // unloaded meanwhile
    if (isVipdUsing(fd, *mapId)) return fd;
    close(fd);
  }
  return makeError(ENOENT, "no loaded vipd_xdp program uses the maps pinned in " + pinDir);
}

}  // namespace

Result<std::unique_ptr<NewFlowRunner>> NewFlowRunner::open(const std::string& pinDir) {
  auto vipdFd = findVipdProgram(pinDir);
  if (!vipdFd) return vipdFd.error();
  bench_newflow* skel = bench_newflow__open_and_load();
  if (!skel) {
    int err = errno;
    close(*vipdFd);
    return sysError(err, "loading the bench_newflow wrapper");
  }
  return std::unique_ptr<NewFlowRunner>(new NewFlowRunner(skel, *vipdFd));
}

NewFlowRunner::~NewFlowRunner() {
  bench_newflow__destroy(skel_);
  close(vipdFd_);
}

Result<void> NewFlowRunner::setTarget(Target target) {
  return setTargetFd(target == Target::vipd ? vipdFd_ : bpf_program__fd(skel_->progs.bench_pass));
}

Result<void> NewFlowRunner::setTargetFd(int fd) {
  std::uint32_t slot = 0;
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.bench_target), &slot, &fd, BPF_ANY))
    return sysError(errno, "putting the target into bench_target");
  return {};
}

Result<TestRun> NewFlowRunner::run(std::span<const std::uint8_t> frame,
                                   std::uint32_t ingressIfindex, std::uint32_t repeat) {
  std::vector<std::uint8_t> in(frame.begin(), frame.end());
  xdp_md ctx{};
  ctx.data_end = static_cast<std::uint32_t>(in.size());
  ctx.ingress_ifindex = ingressIfindex;
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in.data(),
              .data_size_in = static_cast<std::uint32_t>(in.size()), .ctx_in = &ctx,
              .ctx_size_in = sizeof(ctx), .repeat = static_cast<int>(repeat));
  if (bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.bench_newflow), &opts))
    return sysError(errno, "BPF_PROG_TEST_RUN of bench_newflow");
  return TestRun{opts.retval, opts.duration};
}

}  // namespace vipd::bench
