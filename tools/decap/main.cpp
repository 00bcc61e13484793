// vipd-decap: attaches the real server's decapsulation program (xdp/vipd_decap.bpf.c) to an
// interface, detaches it, or says whether it is there. The attachment is the kernel's own (no
// pin, no process): it stays until detached or the interface goes. Another XDP program on the
// interface is never replaced or removed.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

// bpftool's skeleton is C in a header.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#include "vipd_decap.skel.h"
#pragma GCC diagnostic pop

namespace {

constexpr const char* kProgramName = "vipd_decap";

int usage() {
  std::fprintf(stderr,
               "usage: vipd-decap attach IF [--generic]\n"
               "       vipd-decap detach IF\n"
               "       vipd-decap status IF\n");
  return 2;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "vipd-decap: %s\n", message.c_str());
  return 1;
}

// The XDP program on the interface: its id (0: none), name and attach mode.
struct Attached {
  std::uint32_t id = 0;
  std::string name;
  std::uint32_t flags = 0;  // XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE
};

bool query(unsigned ifindex, Attached& out, std::string& error) {
  LIBBPF_OPTS(bpf_xdp_query_opts, opts);
  if (int rc = bpf_xdp_query(static_cast<int>(ifindex), 0, &opts); rc < 0) {
    error = std::string("querying XDP: ") + std::strerror(-rc);
    return false;
  }
  out.id = opts.prog_id;
  out.flags = opts.attach_mode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
  if (!out.id) return true;
  int fd = bpf_prog_get_fd_by_id(out.id);
  if (fd < 0) {
    error = "program " + std::to_string(out.id) + ": " + std::strerror(errno);
    return false;
  }
  bpf_prog_info info{};
  std::uint32_t len = sizeof(info);
  int rc = bpf_obj_get_info_by_fd(fd, &info, &len);
  close(fd);
  if (rc < 0) {
    error = std::string("program info: ") + std::strerror(-rc);
    return false;
  }
  out.name = info.name;
  return true;
}

int attach(unsigned ifindex, const std::string& ifname, bool generic) {
  Attached now;
  std::string error;
  if (!query(ifindex, now, error)) return fail(ifname + ": " + error);
  if (now.id && now.name != kProgramName)
    return fail(ifname + " runs XDP program " + now.name + " (id " + std::to_string(now.id) +
                "); not replaced");
  vipd_decap* skel = vipd_decap__open_and_load();
  if (!skel) return fail(std::string("loading the program: ") + std::strerror(errno));
  // Replacing our own program is an update; with no program, a new attachment.
  std::uint32_t flags = generic ? XDP_FLAGS_SKB_MODE : 0;
  if (now.id && !generic) flags = now.flags;
  if (!now.id) flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
  int rc = bpf_xdp_attach(static_cast<int>(ifindex), bpf_program__fd(skel->progs.vipd_decap), flags,
                          nullptr);
  vipd_decap__destroy(skel);  // the kernel holds the attached program
  if (rc < 0) return fail(ifname + ": attaching: " + std::strerror(-rc));
  std::printf("vipd-decap attached to %s\n", ifname.c_str());
  return 0;
}

int detach(unsigned ifindex, const std::string& ifname) {
  Attached now;
  std::string error;
  if (!query(ifindex, now, error)) return fail(ifname + ": " + error);
  if (!now.id) return fail(ifname + " has no XDP program");
  if (now.name != kProgramName)
    return fail(ifname + " runs XDP program " + now.name + ", not vipd_decap; not detached");
  LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = bpf_prog_get_fd_by_id(now.id));
  int rc = bpf_xdp_detach(static_cast<int>(ifindex), now.flags | XDP_FLAGS_REPLACE, &opts);
  if (opts.old_prog_fd >= 0) close(opts.old_prog_fd);
  if (rc < 0) return fail(ifname + ": detaching: " + std::strerror(-rc));
  std::printf("vipd-decap detached from %s\n", ifname.c_str());
  return 0;
}

int status(unsigned ifindex, const std::string& ifname) {
  Attached now;
  std::string error;
  if (!query(ifindex, now, error)) return fail(ifname + ": " + error);
  if (now.id && now.name == kProgramName) {
    std::printf("%s: vipd_decap attached (id %u, %s)\n", ifname.c_str(), now.id,
                now.flags == XDP_FLAGS_SKB_MODE ? "generic" : "native");
    return 0;
  }
  std::printf("%s: vipd_decap not attached%s\n", ifname.c_str(),
              now.id ? (" (" + now.name + " is)").c_str() : "");
  return 3;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  std::string command = argv[1], ifname = argv[2];
  bool generic = argc == 4 && std::string(argv[3]) == "--generic";
  if (argc > 4 || (argc == 4 && (!generic || command != "attach"))) return usage();
  unsigned ifindex = if_nametoindex(ifname.c_str());
  if (!ifindex) return fail(ifname + ": no such interface");
  libbpf_set_print(nullptr);  // its own messages would only repeat ours
  if (command == "attach") return attach(ifindex, ifname, generic);
  if (command == "detach") return detach(ifindex, ifname);
  if (command == "status") return status(ifindex, ifname);
  return usage();
}
