#!/usr/bin/env bash
# install.sh: installs this Shoal release on a Debian or Ubuntu host, as root, from the unpacked tarball:
#   1. the packages a node needs, from the distribution: runc (or crun, when only it is available),
#      conmon, nftables, iproute2, iptables; only what is missing, and nothing at all when one of them
#      cannot be installed from the host's apt sources (one line says which, exit 1, nothing changed);
#   2. the release into PREFIX (default /opt/shoal: bin/, lib/, runtime/), /usr/local/bin/shoal,
#      the systemd unit (/etc/systemd/system/shoal.service), bash and zsh completion, man pages,
#      and /etc/shoal for daemon.json;
#   3. systemctl daemon-reload, enable, and (re)start of shoal.service. A restart keeps containers
#      running (KillMode=process), so installing a newer release over an older one is an upgrade.
# Usage: install.sh [--prefix DIR] [--no-start] [--root DIR]
#   --no-start   install and enable, but do not (re)start the daemon
#   --root DIR   install the files under DIR (a staging root: no packages, no systemctl)
set -euo pipefail

src=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
prefix=/opt/shoal start=1 root=""
die() { echo "install.sh: $1" >&2; exit "${2:-1}"; }
say() { echo "install.sh: $*"; }

while [ $# -gt 0 ]; do
  case $1 in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory" 2; prefix=$2; shift 2 ;;
    --no-start) start=0; shift ;;
    --root) [ $# -ge 2 ] || die "--root needs a directory" 2; root=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (usage: install.sh [--prefix DIR] [--no-start] [--root DIR])" 2 ;;
  esac
done
case $prefix in /*) ;; *) die "--prefix must be an absolute path, not '$prefix'" 2 ;; esac
[ -x "$src/bin/shoal" ] && [ -d "$src/lib" ] && [ -x "$src/runtime/bin/java" ] \
  || die "run the install.sh of an unpacked release (bin/, lib/, runtime/ beside it), not $src"

if [ -z "$root" ]; then
  [ "$(id -u)" = 0 ] || die "must run as root"
  # shellcheck disable=SC1091
  . /etc/os-release 2>/dev/null || die "cannot read /etc/os-release: only Debian and Ubuntu are supported"
  case " ${ID:-} ${ID_LIKE:-} " in
    *" debian "*|*" ubuntu "*) ;;
    *) die "this host runs ${PRETTY_NAME:-an unknown system}: only Debian and Ubuntu are supported" ;;
  esac

  # --- packages: decide everything before changing anything --------------------------------------
  installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
  candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}' | grep -qv '^(none)$'; }
  missing=()
  for p in conmon nftables iproute2 iptables; do installed "$p" || missing+=("$p"); done
  runtime=""
  if ! installed runc && ! installed crun; then runtime=runc; fi
  if [ ${#missing[@]} -gt 0 ] || [ -n "$runtime" ]; then
    apt-get update -qq >/dev/null || die "apt-get update failed"
    if [ -n "$runtime" ]; then
      if candidate runc; then runtime=runc; elif candidate crun; then runtime=crun; else
        die "neither runc nor crun can be installed from this host's apt sources; add a source that has one"
      fi
      missing+=("$runtime")
    fi
    for p in "${missing[@]}"; do
      candidate "$p" || die "package $p cannot be installed from this host's apt sources; add a source that has it"
    done
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get install ${missing[*]} failed"
  fi
fi

# --- files ------------------------------------------------------------------------------------------
dest=$root$prefix
mkdir -p "$(dirname -- "$dest")"
rm -rf "$dest.new"
mkdir -p "$dest.new"
cp -a "$src/bin" "$src/lib" "$src/runtime" "$dest.new/"
rm -rf "$dest.old"
[ -e "$dest" ] && mv "$dest" "$dest.old"
mv "$dest.new" "$dest"
rm -rf "$dest.old"
install -d "$root/usr/local/bin" "$root/etc/shoal" "$root/etc/systemd/system" "$root/usr/share/bash-completion/completions" \
  "$root/usr/local/share/zsh/site-functions" "$root/usr/local/share/man/man1"
ln -sfn "$prefix/bin/shoal" "$root/usr/local/bin/shoal"
sed "s|^ExecStart=/opt/shoal/bin/shoal |ExecStart=$prefix/bin/shoal |" "$src/systemd/shoal.service" \
  > "$root/etc/systemd/system/shoal.service"
chmod 0644 "$root/etc/systemd/system/shoal.service"
install -m 0644 "$src/completion/bash/shoal" "$root/usr/share/bash-completion/completions/shoal"
install -m 0644 "$src/completion/zsh/_shoal" "$root/usr/local/share/zsh/site-functions/_shoal"
install -m 0644 "$src"/man/man1/*.1 "$root/usr/local/share/man/man1/"
say "installed $("$dest/bin/shoal" --version 2>/dev/null || echo shoal) in $prefix"

[ -z "$root" ] || exit 0
if [ ! -d /run/systemd/system ]; then
  say "systemd is not running here: start the daemon yourself with '$prefix/bin/shoal daemon'"
  exit 0
fi
systemctl daemon-reload
systemctl enable shoal.service >/dev/null 2>&1
if [ "$start" = 1 ]; then
  systemctl restart shoal.service
  say "shoal.service is running: try 'shoal info' (new cluster: 'shoal init')"
else
  say "shoal.service is enabled; start it with 'systemctl start shoal'"
fi
