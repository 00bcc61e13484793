// verifier_count: loads BPF objects (without pinning anything) and prints, for each program,
// the instructions the verifier processed to accept it (bpf_prog_info.verified_insns), global
// subprograms included. bench/core-before-after uses it to set the packet core's BPF build beside
// an earlier one: `verifier_count OBJECT...` prints "object<TAB>program<TAB>instructions".
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace {

int silent(libbpf_print_level, const char*, va_list) {
  return 0;
}

int report(const char* path) {
  bpf_object* obj = bpf_object__open_file(path, nullptr);
  if (!obj) {
    std::fprintf(stderr, "%s: cannot open: %s\n", path, std::strerror(errno));
    return 1;
  }
  int rc = bpf_object__load(obj);
  if (rc != 0) {
    std::fprintf(stderr, "%s: cannot load: %s\n", path, std::strerror(-rc));
    bpf_object__close(obj);
    return 1;
  }
  bpf_program* prog = nullptr;
  bpf_object__for_each_program(prog, obj) {
    bpf_prog_info info{};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) != 0) continue;
    std::printf("%s\t%s\t%u\n", path, bpf_program__name(prog), info.verified_insns);
  }
  bpf_object__close(obj);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  libbpf_set_print(silent);
  int failures = 0;
  for (int i = 1; i < argc; ++i) failures += report(argv[i]);
  return failures ? 1 : 0;
}
