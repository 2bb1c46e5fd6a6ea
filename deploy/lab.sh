#!/usr/bin/env bash
# The local multi-host lab. Each host is a network namespace NAME-hI whose eth0 is a veth to the bridge
# br0 inside the lab namespace NAME, plus a UTS namespace with hostname hI; nothing is added to the root
# network namespace. Each host runs its own `shoal daemon` with its own data dir and socket.
#
#   lab.sh up       [--name N] [--managers M] [--workers W] [--dir D] [--subnet A.B.C]
#   lab.sh down     [--name N] [--dir D] [--keep]
#   lab.sh start    [--name N] [--dir D] HOST [daemon args...]
#   lab.sh restart  [--name N] [--dir D] HOST [daemon args...]
#   lab.sh stop|kill [--name N] [--dir D] HOST          SIGTERM (SIGKILL after a while) / SIGKILL at once
#   lab.sh cli      [--name N] [--dir D] HOST ARGS...   shoal ARGS against HOST's daemon (exit code passed through)
#   lab.sh exec     [--name N] [--dir D] HOST CMD...    run CMD inside HOST (its network and UTS namespaces)
#   lab.sh ip|ns    [--name N] [--dir D] HOST           print HOST's address / network namespace
#   lab.sh registry [--name N] [--dir D]                run an OCI registry on h1:5000 holding busybox:latest (and :v2)
#   lab.sh ls                                           list the labs on this machine
#
# Defaults: --name shoal-lab, 3 managers, 2 workers, --subnet 10.213.0 (hI gets A.B.C.(10+I)),
# --dir <repo>/.lab/NAME. HOST is h1, h2, ... or NAME-h1, ...; h1..hM are managers, the rest workers.
# Environment: SHOAL_BIN (default <repo>/shoal), SHOAL_LAB_DAEMON_ARGS (extra args for every daemon),
# SHOAL_LAB_INIT_ARGS (extra args for `shoal init` on h1, e.g. "--node-down-grace 0s --data-path-port 4790"),
# SHOAL_LAB_TIMEOUT (seconds to wait for a daemon's socket, default 60),
# SHOAL_LAB_STOP_TIMEOUT (seconds between SIGTERM and SIGKILL on stop, default 20),
# SHOAL_LAB_DATA_SIZE (at `up`: give each manager's data dir a small ext4 filesystem of its own, this
# size, e.g. 128M, loop-mounted from DIR/hI/data.img, so that a test can fill one manager's disk).
# Files: DIR/lab.env (the lab's shape), DIR/hI/{data/,shoal.sock,daemon.log,daemon.pid,uts};
# /run/shoal-lab/NAME remembers DIR so that --dir is needed only at `up`.
set -euo pipefail

repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
SHOAL_BIN=${SHOAL_BIN:-$repo/shoal}
port=4242
start_timeout=${SHOAL_LAB_TIMEOUT:-60}
stop_timeout=${SHOAL_LAB_STOP_TIMEOUT:-20}
pointers=/run/shoal-lab
hint=""

die() { echo "lab: $*${hint:+; $hint}" >&2; exit 1; }
usage_error() { echo "lab: $* (see 'deploy/lab.sh help')" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

# --- arguments ------------------------------------------------------------------------------------
cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
  help|-h|--help) usage; exit 0 ;;
  "") usage >&2; exit 2 ;;
  up|down|start|stop|kill|restart|cli|exec|ip|ns|registry|ls) ;;
  *) usage_error "unknown command '$cmd' (up, down, start, stop, kill, restart, cli, exec, ip, ns, registry, ls)" ;;
esac

name=shoal-lab managers=3 workers=2 dir="" subnet=10.213.0 keep=0
given=" "
while [ $# -gt 0 ]; do
  opt=$1 val=""
  case $opt in
    --name=*|--managers=*|--workers=*|--dir=*|--subnet=*) val=${opt#*=}; opt=${opt%%=*}; shift ;;
    --name|--managers|--workers|--dir|--subnet) [ $# -ge 2 ] || usage_error "$opt needs a value"; val=$2; shift 2 ;;
    --keep) shift ;;
    --) shift; break ;;
    -*) usage_error "$cmd: unknown option '$opt'" ;;
    *) break ;;
  esac
  given+="$opt "
  case $opt in
    --name) name=$val ;; --managers) managers=$val ;; --workers) workers=$val ;;
    --dir) dir=$val ;; --subnet) subnet=$val ;; --keep) keep=1 ;;
  esac
done
case $cmd in
  up) allowed=" --name --managers --workers --dir --subnet " ;;
  down) allowed=" --name --dir --keep " ;;
  ls) allowed=" " ;;
  *) allowed=" --name --dir " ;;
esac
for o in $given; do
  [[ $allowed == *" $o "* ]] || usage_error "$o does not apply to '$cmd'"
done
case $cmd in
  up|down|ls|registry) [ $# -eq 0 ] || usage_error "$cmd: unexpected argument '$1'" ;;
  cli|exec) [ $# -ge 2 ] || usage_error "$cmd: needs HOST and a command" ;;
  start|restart) [ $# -ge 1 ] || usage_error "$cmd: which host? (h1, h2, ...)" ;;
  *) [ $# -eq 1 ] || usage_error "$cmd: needs exactly one HOST (h1, h2, ...)" ;;
esac
[[ $name =~ ^[a-z][a-z0-9-]{0,39}$ ]] || usage_error "--name: '$name' must be a lowercase letter then up to 39 letters, digits or dashes"
[[ $name =~ -h[0-9]+$ ]] && usage_error "--name: '$name' must not end in -hN (that names its hosts)"
if [ -n "$dir" ]; then
  case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
elif [ "$cmd" != up ] && [ -r "$pointers/$name" ]; then
  dir=$(< "$pointers/$name")
else
  dir=$repo/.lab/$name
fi
while [ "${#dir}" -gt 1 ] && [ "${dir%/}" != "$dir" ]; do dir=${dir%/}; done
state=$dir/lab.env

# --- helpers --------------------------------------------------------------------------------------
ns_exists() { [ -e "/run/netns/$1" ]; }
lab_namespaces() { # NAME and NAME-hI that exist
  local f n
  for f in /run/netns/*; do
    n=${f##*/}
    if [ "$n" = "$name" ] || [[ $n =~ ^$name-h[0-9]+$ ]]; then echo "$n"; fi
  done
}
# alive PID: the process exists and is not a zombie (a killed daemon may linger unreaped as one)
alive() {
  local st
  [[ $1 =~ ^[0-9]+$ ]] || return 1
  { read -r st < "/proc/$1/stat"; } 2>/dev/null || return 1
  st=${st##*) }
  [ "${st:0:1}" != Z ] && [ "${st:0:1}" != X ]
}
# mentions PID TEXT: the command line of PID contains TEXT (so a recycled pid is never taken for ours)
mentions() {
  local -a argv
  { mapfile -d '' argv < "/proc/$1/cmdline"; } 2>/dev/null || return 1
  [[ " ${argv[*]} " == *"$2"* ]]
}
# procs_mentioning TEXT...: pids whose command line contains one of the TEXTs (this script excepted)
procs_mentioning() {
  local f p t line
  local -a argv
  for f in /proc/[0-9]*/cmdline; do
    p=${f#/proc/}; p=${p%/cmdline}
    [ "$p" = $$ ] && continue
    { mapfile -d '' argv < "$f"; } 2>/dev/null || continue
    line=" ${argv[*]} "
    for t in "$@"; do
      if [[ $line == *"$t"* ]]; then echo "$p"; break; fi
    done
  done
}
# descendants PID...: the children of the pids, their children, and so on
descendants() {
  local p c f kids
  for p in "$@"; do
    for f in /proc/"$p"/task/*/children; do
      kids=$(< "$f") 2>/dev/null || continue
      for c in $kids; do echo "$c"; descendants "$c"; done
    done
  done
}
# wait_gone SECONDS PID...: true once none of the pids is alive
wait_gone() {
  local limit=$(( $1 * 10 )) n=0 p left
  shift
  while :; do
    left=0
    for p in "$@"; do alive "$p" && { left=1; break; }; done
    [ $left = 0 ] && return 0
    [ $n -ge $limit ] && return 1
    sleep 0.1; n=$((n + 1))
  done
}
must() { # run a setup command; on failure stop with its message
  local out
  out=$("$@" 2>&1) || die "'$*' failed: ${out//$'\n'/ }"
}

load() {
  [ -f "$state" ] || die "no lab '$name' at $dir (make one with 'deploy/lab.sh up --name $name')"
  # shellcheck disable=SC1090
  source "$state"
  # labs made by older versions of this script wrote only managers=, workers= and subnet=
  lab_subnet=${lab_subnet:-$subnet}
  lab_managers=${lab_managers:-$managers}
  lab_workers=${lab_workers:-$workers}
  lab_total=$((lab_managers + lab_workers))
}
# host ARG: sets h (hI), i, ns, ip and hd (the host's directory) for h1, hI or NAME-hI
host() {
  local a=${1#"$name-"}
  [[ $a =~ ^h([1-9][0-9]*)$ ]] && [ "${BASH_REMATCH[1]}" -le "$lab_total" ] \
    || die "lab $name has no host '$1' (it has h1..h$lab_total)"
  i=${BASH_REMATCH[1]} h=h${BASH_REMATCH[1]}
  ns=$name-$h ip=$lab_subnet.$((10 + i)) hd=$dir/$h
}
# the pid of host $h's running daemon, if any
daemon_pid() {
  local pid
  [ -f "$hd/daemon.pid" ] || return 1
  pid=$(< "$hd/daemon.pid")
  alive "$pid" && mentions "$pid" "$hd/data" && echo "$pid"
}
has_uts() { [ -e "$hd/uts" ] && mountpoint -q "$hd/uts" 2>/dev/null; }

# data_fs SIZE: after host(), an ext4 filesystem of SIZE of its own (a loop-mounted image) on $hd/data;
# no reserved blocks, so a file written as root fills it to the last block
data_fs() {
  [[ $1 =~ ^[1-9][0-9]*[KMG]$ ]] || usage_error "SHOAL_LAB_DATA_SIZE: '$1' must be a size like 128M"
  for t in mkfs.ext4 losetup truncate; do command -v "$t" >/dev/null || die "SHOAL_LAB_DATA_SIZE needs '$t'"; done
  must truncate -s "$1" "$hd/data.img"
  must mkfs.ext4 -q -F -m 0 "$hd/data.img"
  must mount -o loop "$hd/data.img" "$hd/data"
}

start_host() { # after host(); "$@" = extra daemon args
  local words=()
  ns_exists "$ns" || die "host $h of lab $name has no network namespace $ns (run 'deploy/lab.sh down --name $name' and up again)"
  local running
  if running=$(daemon_pid); then die "the daemon of $h is already running (pid $running)"; fi
  [ -x "$SHOAL_BIN" ] || die "$SHOAL_BIN is not executable (set SHOAL_BIN or build: see the README)"
  mkdir -p "$hd/data"
  rm -f "$hd/shoal.sock" "$hd/daemon.pid"
  read -r -a words <<< "${SHOAL_LAB_DAEMON_ARGS:-}"
  local args=(daemon --data-dir "$hd/data" --socket "$hd/shoal.sock" --listen-addr "$ip:$port"
              --insecure-registry "$lab_subnet.11:5000" --metrics-addr "$ip:9323" "${words[@]}" "$@")
  echo "=== $(date -Is) lab: start $SHOAL_BIN ${args[*]}" >> "$hd/daemon.log"
  # nsenter --net, not `ip netns exec`: the latter remounts /sys, which hides the cgroup hierarchy the
  # container runtime needs. The host's UTS namespace (hostname hI) is kept in $hd/uts; labs made by an
  # older lab.sh have none, so their daemon gets a private one here.
  if has_uts; then
    setsid nsenter --net="/run/netns/$ns" --uts="$hd/uts" -- "$SHOAL_BIN" "${args[@]}" \
      < /dev/null >> "$hd/daemon.log" 2>&1 &
  else
    setsid nsenter --net="/run/netns/$ns" -- unshare --uts sh -c 'hostname "$0" && exec "$@"' "$h" \
      "$SHOAL_BIN" "${args[@]}" < /dev/null >> "$hd/daemon.log" 2>&1 &
  fi
  # setsid, nsenter and unshare exec (none of them forks here), so $! becomes the daemon itself
  echo $! > "$hd/daemon.pid"
}

wait_socket() { # after host()
  local pid n=0 limit=$((start_timeout * 10))
  pid=$(< "$hd/daemon.pid")
  until [ -e "$hd/shoal.sock" ]; do
    if ! alive "$pid"; then
      tail -n 20 "$hd/daemon.log" >&2
      die "the daemon of $h (pid $pid) exited before opening its socket; its log: $hd/daemon.log"
    fi
    if [ $n -ge $limit ]; then
      tail -n 20 "$hd/daemon.log" >&2
      die "the daemon of $h (pid $pid) did not open $hd/shoal.sock within ${start_timeout}s; its log: $hd/daemon.log"
    fi
    sleep 0.1; n=$((n + 1))
  done
}

stop_host() { # after host(); $1 = TERM or KILL
  local pid
  if ! pid=$(daemon_pid); then
    rm -f "$hd/daemon.pid" "$hd/shoal.sock"
    echo "lab: the daemon of $h is not running" >&2
    return 0
  fi
  if [ "$1" = TERM ]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$stop_timeout" "$pid" || echo "lab: the daemon of $h ignored SIGTERM for ${stop_timeout}s: SIGKILL" >&2
  fi
  if alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone 10 "$pid" || die "the daemon of $h (pid $pid) survives SIGKILL (stuck in the kernel?)"
  fi
  rm -f "$hd/daemon.pid" "$hd/shoal.sock"
}

shoal_on() { # HOST ARGS...
  host "$1"; shift
  "$SHOAL_BIN" --host "unix://$hd/shoal.sock" "$@"
}

# is_lab_dir DIR: made by this script (so `down` may delete it)
is_lab_dir() {
  local e
  [ -d "$1" ] || return 1
  [ -f "$1/lab.env" ] && return 0
  for e in "$1"/* "$1"/.[!.]*; do
    [ -e "$e" ] || continue
    [[ ${e##*/} =~ ^(h[0-9]+|registry)$ ]] || return 1
  done
}

# mounts_under DIR: mount points at or under DIR, innermost (most recent) first
mounts_under() {
  local enc=$1 mp rest
  enc=${enc//\\/\\134}; enc=${enc// /\\040}; enc=${enc//$'\t'/\\011}; enc=${enc//$'\n'/\\012}
  tac /proc/mounts | while read -r _ mp rest; do
    if [ "$mp" = "$enc" ] || [ "${mp#"$enc/"}" != "$mp" ]; then printf '%b\n' "${mp//\\/\\0}"; fi
  done
}

# container_namespaces: the network namespaces (named after their containers) of the lab's containers that exist
container_namespaces() {
  local c n
  for c in "$dir"/h*/data/containers/bundles/* "$dir"/h*/data/containers/state/*; do
    [ -d "$c" ] || continue
    n=${c##*/}; n=${n:0:40}
    ns_exists "$n" && echo "$n"
  done
  return 0
}

# remove_links NS: deletes the links in NS but lo (a sandbox's veth and vxlan devices go with them)
remove_links() {
  local l
  for l in $(ip -n "$1" -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -v '^lo$'); do
    ip -n "$1" link del "$l" 2>/dev/null || true
  done
}

# sandbox_namespaces PREFIX: empties every namespace named PREFIX* and adds it to down's list (cns)
sandbox_namespaces() {
  local f n
  for f in /run/netns/"$1"*; do
    [ -e "$f" ] || continue
    n=${f##*/}
    remove_links "$n"
    [[ " ${cns[*]} " == *" $n "* ]] || cns+=("$n")
  done
}

down() {
  local pids=() nss=() cns=() f p n c st cg left
  mapfile -t nss < <(lab_namespaces)
  # every process in the lab's namespaces, and the daemons and registry its pid files name
  for n in "${nss[@]}"; do
    for p in $(ip netns pids "$n" 2>/dev/null); do pids+=("$p"); done
  done
  for f in "$dir"/h*/daemon.pid "$dir"/registry/pid; do
    [ -f "$f" ] || continue
    p=$(< "$f")
    alive "$p" && mentions "$p" "$dir/" && pids+=("$p")
  done
  # and, wherever they ended up (say their namespace was deleted under them), the lab's daemons,
  # the conmon processes of its containers, and its registry
  for p in $(procs_mentioning "--data-dir $dir/" "--exit-dir $dir/" "serve $dir/registry/"); do
    alive "$p" && pids+=("$p")
  done
  # the containers the daemons started: each has a network namespace named after it
  for n in $(container_namespaces); do
    [[ " ${cns[*]} " == *" $n "* ]] || cns+=("$n")
    for p in $(ip netns pids "$n" 2>/dev/null); do pids+=("$p"); done
  done
  if [ ${#pids[@]} -gt 0 ]; then
    for p in $(descendants "${pids[@]}"); do pids+=("$p"); done
    kill -KILL "${pids[@]}" 2>/dev/null || true
  fi
  wait_gone 15 "${pids[@]}" || true
  # containers a daemon was preparing while we looked (their namespace came after the scan above)
  for n in $(container_namespaces); do
    [[ " ${cns[*]} " == *" $n "* ]] || cns+=("$n")
  done
  for st in "$dir"/h*/data/containers/state; do
    [ -d "$st" ] || continue
    for c in "$st"/*; do
      [ -e "$c" ] || continue
      c=${c##*/}
      runc --root "$st" delete --force "$c" >/dev/null 2>&1 || crun --root "$st" delete --force "$c" >/dev/null 2>&1 || true
      for cg in /sys/fs/cgroup/*/shoal/"$c" /sys/fs/cgroup/shoal/"$c"; do [ -d "$cg" ] && { rmdir "$cg" 2>/dev/null || true; }; done
    done
  done
  # the overlay sandboxes the workers made (one namespace per network per host): those each daemon
  # listed, and every namespace carrying a daemon's sandbox prefix (written before its first sandbox,
  # so a sandbox made by an apply that the kill cut short is found too)
  for f in "$dir"/h*/data/net/sandboxes "$dir"/h*/data/net/sandbox-prefix; do
    [ -f "$f" ] || continue
    while IFS= read -r n; do
      if [[ $f == */sandbox-prefix ]]; then
        [[ $n =~ ^shoal-[a-z0-9]+-$ ]] || continue
        sandbox_namespaces "$n"
        continue
      fi
      [[ $n =~ ^shoal-[a-z0-9]+-[A-Za-z0-9_.-]+$ ]] || continue
      remove_links "$n"
      cns+=("$n")
    done < "$f"
  done
  for n in "${cns[@]}" "${nss[@]}"; do
    ns_exists "$n" && { ip netns del "$n" 2>/dev/null || true; }
  done
  if [ -d "$dir" ]; then
    while IFS= read -r f; do
      umount "$f" 2>/dev/null || umount -l "$f" 2>/dev/null || true
    done < <(mounts_under "$dir")
    # the loop devices of data filesystems (SHOAL_LAB_DATA_SIZE) that an unmount did not free
    for f in "$dir"/h*/data.img; do
      [ -f "$f" ] || continue
      for l in $(losetup -n -O NAME -j "$f" 2>/dev/null); do losetup -d "$l" 2>/dev/null || true; done
    done
  fi
  rm -f "$pointers/$name"
  # what is left?
  left=""
  for p in "${pids[@]}"; do alive "$p" && left+=" pid $p"; done
  for n in $(lab_namespaces); do left+=" netns $n"; done
  [ -z "$left" ] || die "could not remove everything of lab $name:$left"
  if [ -d "$dir" ] && [ "$keep" = 0 ]; then
    is_lab_dir "$dir" || die "not removing $dir: it holds files the lab did not make (remove it yourself)"
    [ -z "$(mounts_under "$dir")" ] || die "not removing $dir: something is still mounted under it"
    rm -rf "$dir"
  fi
  return 0
}

up() {
  local t total mtoken wtoken out role n hosts
  [[ $managers =~ ^[1-9][0-9]?$ ]] || usage_error "--managers: '$managers' must be 1-99"
  [[ $workers =~ ^[0-9][0-9]?$ ]] || usage_error "--workers: '$workers' must be 0-99"
  total=$((managers + workers))
  if [[ ! $subnet =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || [ "${BASH_REMATCH[1]}" -gt 255 ] \
       || [ "${BASH_REMATCH[2]}" -gt 255 ] || [ "${BASH_REMATCH[3]}" -gt 255 ]; then
    usage_error "--subnet: '$subnet' must be the first three octets of a /24, like 10.213.0"
  fi
  [ $((10 + total)) -le 254 ] || usage_error "$total hosts do not fit in $subnet.11-254"
  [ "$(id -u)" = 0 ] || die "up needs root (it makes network namespaces)"
  for t in ip nsenter unshare setsid mountpoint; do
    command -v "$t" >/dev/null || die "'$t' is missing: run deploy/install-deps.sh"
  done
  [ -x "$SHOAL_BIN" ] || die "$SHOAL_BIN is not executable (set SHOAL_BIN or build: see the README)"
  [ -z "$(lab_namespaces)" ] || die "lab '$name' exists already: run 'deploy/lab.sh down --name $name' first"
  if [ -e "$dir" ]; then # a leftover of an earlier lab: start afresh, but never wipe foreign files
    [ -z "$(ls -A "$dir" 2>/dev/null)" ] || is_lab_dir "$dir" \
      || die "--dir $dir exists and is not a lab directory: choose another or empty it"
    keep=0
    down
  fi
  hint="the lab is half made: 'deploy/lab.sh down --name $name' removes it"
  mkdir -p "$dir" "$pointers"
  echo "$dir" > "$pointers/$name"
  {
    echo "# lab $name, written by deploy/lab.sh up; read by its other commands"
    printf 'lab_name=%q\nlab_dir=%q\nlab_subnet=%q\nlab_managers=%q\nlab_workers=%q\n' \
      "$name" "$dir" "$subnet" "$managers" "$workers"
    hosts=""; for ((i = 1; i <= total; i++)); do hosts+="${hosts:+ }h$i"; done
    printf 'lab_hosts=%q\n' "$hosts"
    for ((i = 1; i <= total; i++)); do
      role=worker; [ "$i" -le "$managers" ] && role=manager
      printf 'lab_h%s_ns=%q lab_h%s_ip=%q lab_h%s_role=%q\n' $i "$name-h$i" $i "$subnet.$((10 + i))" $i $role
    done
  } > "$state"
  load

  must ip netns add "$name"
  must ip -n "$name" link set lo up
  must ip -n "$name" link add br0 type bridge
  must ip -n "$name" link set br0 up
  for ((n = 1; n <= total; n++)); do
    host "h$n"
    must ip netns add "$ns"
    must ip -n "$ns" link set lo up
    # made inside the lab namespace, with the host end moved straight into the host: nothing in the root
    must ip -n "$name" link add "v$i" type veth peer name eth0 netns "$ns"
    must ip -n "$name" link set "v$i" master br0 up
    must ip -n "$ns" addr add "$ip/24" dev eth0
    must ip -n "$ns" link set eth0 up
    mkdir -p "$hd/data"
    if [ -n "${SHOAL_LAB_DATA_SIZE:-}" ] && [ "$n" -le "$managers" ]; then data_fs "$SHOAL_LAB_DATA_SIZE"; fi
    : > "$hd/uts"
    must unshare --uts="$hd/uts" hostname "$h"
  done

  echo "lab $name: hosts h1..h$total at $subnet.11..$subnet.$((10 + total)) (network namespaces $name-hI), files in $dir"
  echo "lab $name: starting $total daemons"
  for ((n = 1; n <= total; n++)); do host "h$n"; start_host; done
  for ((n = 1; n <= total; n++)); do host "h$n"; wait_socket; done

  host h1
  echo "lab $name: init on h1"
  # shellcheck disable=SC2086 # SHOAL_LAB_INIT_ARGS is a list of words
  out=$(shoal_on h1 init --advertise-addr "$ip:$port" ${SHOAL_LAB_INIT_ARGS:-} 2>&1) || die "init on h1 failed: ${out//$'\n'/ } (log: $hd/daemon.log)"
  wtoken=$(shoal_on h1 join-token -q worker) || die "join-token worker on h1 failed"
  mtoken=$(shoal_on h1 join-token -q manager) || die "join-token manager on h1 failed"
  [[ $wtoken =~ ^[^[:space:]]+$ && $mtoken =~ ^[^[:space:]]+$ ]] || die "join-token -q printed no single token"
  for ((n = 2; n <= total; n++)); do
    t=$wtoken; [ $n -le "$managers" ] && t=$mtoken
    host "h$n"
    role=worker; [ $n -le "$managers" ] && role=manager
    echo "lab $name: h$n joins as a $role"
    out=$(shoal_on "h$n" join --token "$t" --advertise-addr "$ip:$port" "$lab_subnet.11:$port" 2>&1) \
      || die "join of h$n failed: ${out//$'\n'/ } (logs: $hd/daemon.log, $dir/h1/daemon.log)"
  done
  hint=""
  shoal_on h1 node ls || die "node ls on h1 failed"
}

registry() {
  local r img i
  command -v docker-registry >/dev/null && command -v umoci >/dev/null && command -v skopeo >/dev/null \
    || die "registry: needs docker-registry, umoci and skopeo (deploy/install-deps.sh)"
  host h1
  r=$dir/registry
  if ! { [ -f "$r/pid" ] && alive "$(< "$r/pid")"; }; then
    rm -rf "$r"; mkdir -p "$r/store"
    printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s:5000\n' "$r/store" "$ip" > "$r/config.yml"
    setsid ip netns exec "$ns" docker-registry serve "$r/config.yml" < /dev/null > "$r/registry.log" 2>&1 &
    echo $! > "$r/pid"
  fi
  # a busybox image built from the host's busybox-static, as umoci lays it out
  img=$r/oci
  if [ ! -d "$img" ]; then
    umoci init --layout "$img" >/dev/null
    umoci new --image "$img:busybox" >/dev/null
    umoci unpack --image "$img:busybox" "$r/bundle" >/dev/null
    mkdir -p "$r/bundle/rootfs/bin" "$r/bundle/rootfs/etc" "$r/bundle/rootfs/tmp"
    cp /usr/bin/busybox "$r/bundle/rootfs/bin/busybox"
    for c in sh echo cat ls sleep true false hostname wget nc httpd ps env id nslookup; do ln -sf busybox "$r/bundle/rootfs/bin/$c"; done
    echo 'root:x:0:0::/root:/bin/sh' > "$r/bundle/rootfs/etc/passwd"
    umoci repack --image "$img:busybox" "$r/bundle" >/dev/null
    umoci config --image "$img:busybox" --config.cmd /bin/sh >/dev/null
    rm -rf "$r/bundle"
  fi
  # busybox:v2, the same layers under another config: a second image for rolling updates
  if ! umoci ls --layout "$img" | grep -qx v2; then
    umoci config --image "$img:busybox" --tag v2 --config.label shoal.lab.version=2 >/dev/null
  fi
  for i in $(seq 1 100); do
    if ip netns exec "$ns" skopeo copy -q --dest-tls-verify=false "oci:$img:busybox" \
        "docker://$ip:5000/busybox:latest" >/dev/null 2>"$r/push.err" \
        && ip netns exec "$ns" skopeo copy -q --dest-tls-verify=false "oci:$img:v2" \
        "docker://$ip:5000/busybox:v2" >/dev/null 2>"$r/push.err"; then
      echo "$ip:5000/busybox:latest"
      return 0
    fi
    sleep 0.1
  done
  die "registry: could not push busybox: $(tail -n 1 "$r/push.err")"
}

labs() { # names N with a namespace N-hI, or a namespace N or a mount under its dir that this script remembers
  local f n
  {
    for f in /run/netns/*; do
      [ -e "$f" ] || continue
      n=${f##*/}
      if [[ $n =~ ^(.+)-h[0-9]+$ ]]; then echo "${BASH_REMATCH[1]}"
      elif [ -f "$pointers/$n" ] || [ -f "$repo/.lab/$n/lab.env" ]; then echo "$n"; fi
    done
    for f in "$pointers"/*; do
      [ -f "$f" ] || continue
      [ -n "$(mounts_under "$(< "$f")")" ] && echo "${f##*/}"
    done
  } | sort -u
}

case $cmd in
  up) up ;;
  down) down ;;
  ls) labs ;;
  start) load; host "$1"; shift; start_host "$@"; wait_socket ;;
  stop) load; host "$1"; stop_host TERM ;;
  kill) load; host "$1"; stop_host KILL ;;
  restart) load; host "$1"; shift; stop_host TERM; start_host "$@"; wait_socket ;;
  cli) load; host "$1"; shift; exec "$SHOAL_BIN" --host "unix://$hd/shoal.sock" "$@" ;;
  exec) load; host "$1"; shift; ns_exists "$ns" || die "host $h of lab $name has no network namespace $ns"
        if has_uts; then exec nsenter --uts="$hd/uts" -- ip netns exec "$ns" "$@"; fi
        exec ip netns exec "$ns" "$@" ;;
  ip) load; host "$1"; echo "$ip" ;;
  ns) load; host "$1"; echo "$ns" ;;
  registry) load; registry ;;
esac
