# Sourced by tools/check and tools/demo: installs the Debian 12 packages vipd needs to build and
# test, when they are missing. Everything comes from Debian's archive.
VIPD_PACKAGES=(
  # build
  g++ pkg-config meson ninja-build clang llvm clang-format bpftool
  libbpf-dev libxdp-dev libdpdk-dev libelf-dev zlib1g-dev libmnl-dev
  libboost-program-options-dev libboost-dev prometheus-cpp-dev nlohmann-json3-dev
  libtomlplusplus-dev libsystemd-dev libcap-dev libssl-dev
  # tests
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-scapy
  iproute2 ethtool curl nginx-light procps util-linux systemd man-db groff-base
  prometheus  # promtool (metrics and rules checks) and the server the metrics test scrapes with
)

vipd_install_deps() {
  local missing=()
  for pkg in "${VIPD_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    return 1
  fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  # nginx-light's package starts a system nginx; the test farms run their own.
  if printf '%s\n' "${missing[@]}" | grep -qx nginx-light; then
    systemctl disable --now nginx >/dev/null 2>&1 || service nginx stop >/dev/null 2>&1 || true
  fi
  # So does prometheus's (on :9090); the metrics test starts its own on loopback.
  if printf '%s\n' "${missing[@]}" | grep -qx prometheus; then
    systemctl disable --now prometheus >/dev/null 2>&1 || service prometheus stop >/dev/null 2>&1 ||
      true
  fi
}

# Configure (once) and build a meson build directory: vipd_build DIR [meson options...]
vipd_build() {
  local dir=$1
  shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >/dev/null || return 1
  fi
  ninja -C "$dir" >/dev/null || ninja -C "$dir"
}
