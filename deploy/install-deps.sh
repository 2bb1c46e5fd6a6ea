#!/usr/bin/env bash
# Installs what Shoal needs on Debian 12, as root. Idempotent: when every package is installed already it
# does not run apt-get at all (fast CI reruns); otherwise it runs `apt-get update` and then installs only
# what is missing. Then it checks that a JDK >= 25 exists under /usr/lib/jvm (not installed from apt:
# Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64 is expected).
#   install-deps.sh            install, check, print a summary
#   install-deps.sh --jdk      only print the JDK >= 25 to use as JAVA_HOME (or fail)
set -euo pipefail

# One package a line, with why; add new ones here.
packages=(
  iproute2          # ip netns, veth, bridges (the lab, the overlay data plane)
  procps            # ps, pgrep
  util-linux        # unshare, nsenter, setsid, mountpoint
  iputils-ping      # reachability checks in the lab
  maven             # the build
  ca-certificates   # https to the Maven repositories
  conmon            # holds each container's stdio, log and exit code; outlives the worker
  runc              # the other OCI runtime (shoal daemon --runtime runc), Docker's default
  crun              # the default OCI runtime when installed
  busybox-static    # root file systems for the runtime tests
  attr              # getfattr, to check overlay xattrs in tests
  docker-registry   # the lab's OCI registry
  umoci             # builds the lab's busybox image
  skopeo            # pushes it
  nftables          # nft: service VIPs and the ingress routing mesh (overlay-net)
  iptables          # opens a host FORWARD chain whose policy is DROP (Docker's) to the overlay uplinks
  iperf3            # OverlayThroughputBench: overlay against underlay TCP throughput
  curl              # scrapes the lab daemons' /metrics in the end-to-end tests
  python3-docker    # docker-py, the Python SDK EngineApiIT drives it with
  tini              # tini-static: the init process of services with init: true (compose)
  asciidoctor       # renders the release's man pages (deploy/release.sh)
  systemd           # systemd-analyze verify of the release's unit (ReleaseIT)
  docker.io         # Docker 20.10: the reference the stack tests compare with (dockerd started by tests only); its CLI drives EngineApiIT
)

say() { echo "install-deps: $*"; }
die() { echo "install-deps: $*" >&2; exit 1; }

# The newest JDK >= 25 under /usr/lib/jvm, by the JAVA_VERSION its `release` file names.
find_jdk() {
  local d v best="" bestv=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\(1\.\)\{0,1\}\([0-9]*\).*/\2/p' "$JAVA_HOME/release" 2>/dev/null || true)
    if [ "${v:-0}" -ge 25 ]; then echo "$JAVA_HOME"; return 0; fi
  fi
  for d in /usr/lib/jvm/*/; do
    d=${d%/}
    [ -x "$d/bin/java" ] || continue
    v=$(sed -n 's/^JAVA_VERSION="\(1\.\)\{0,1\}\([0-9]*\).*/\2/p' "$d/release" 2>/dev/null || true)
    if [ "${v:-0}" -ge 25 ] && [ "$v" -gt "$bestv" ]; then best=$d; bestv=$v; fi
  done
  [ -n "$best" ] && echo "$best"
}

if [ "${1:-}" = --jdk ]; then
  find_jdk || die "no JDK >= 25 under /usr/lib/jvm (expected /usr/lib/jvm/temurin-25-jdk-amd64)"
  exit 0
fi
[ $# -eq 0 ] || { echo "usage: install-deps.sh [--jdk]" >&2; exit 2; }

command -v dpkg-query >/dev/null || die "this script is for Debian (no dpkg-query)"
# installed = dpkg status "install ok installed" (dpkg -s also succeeds for removed packages whose
# configuration files remain, so it is not enough on its own)
missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${missing[*]}: run this script as root to install them"
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q || die "apt-get update failed"
  apt-get install -y -q --no-install-recommends "${missing[@]}" || die "apt-get install ${missing[*]} failed"
else
  say "all ${#packages[@]} packages are installed"
fi

jdk=$(find_jdk) || die "no JDK >= 25 under /usr/lib/jvm (expected /usr/lib/jvm/temurin-25-jdk-amd64): install Temurin 25"
say "ok (JDK $jdk)"
