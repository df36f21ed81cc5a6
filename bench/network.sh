#!/bin/bash
# Network cost of a container start, nook against LXC, in one run on one host: the start of a
# busybox container with one veth on a bridge, minus the start of the same container with no
# network, for each; medians of N rounds and the ratio of the added costs. Then 100 nook
# containers on one bridge: the first start against the hundredth, and nothing left after.
#   bench/network.sh [ROUNDS] [MANY]        (root; NOOK defaults to build/src/cli/nook)
# GAP_MS (default 50) idles that long before each timed start: on a cgroup v1 host a start
# right after another tool's pays less for the kernel's cgroup lock (its RCU grace period has
# just passed), so back-to-back figures depend on the order of the runs (bench/runtime.sh).
# The bridge (nkbench0, no address) and the containers are the benchmark's own.
set -euo pipefail
rounds=${1:-20} many=${2:-100}
top=$(cd "$(dirname "$0")/.." && pwd)
NOOK=${NOOK:-$top/build/src/cli/nook}
export NOOK_DEFAULT_CONF=""   # the host's default network must not change what is measured
BR=nkbench0
work=$(mktemp -d /tmp/nook-bench.XXXXXX)
NP=$work/nook LP=$work/lxc
cleanup() {
  set +e # clean up all of it, whatever fails
  for d in "$NP"/*/; do [[ -d $d ]] && "$NOOK" stop -P "$NP" -k -n "$(basename "$d")" >/dev/null 2>&1; done
  lxc-stop -P "$LP" -k -n b >/dev/null 2>&1 || true
  lxc-stop -P "$LP" -k -n v >/dev/null 2>&1 || true
  ip link del "$BR" 2>/dev/null || true
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
ip link add "$BR" type bridge && ip link set "$BR" up
mkdir -p "$NP" "$LP"
net="lxc.net.0.type = veth
lxc.net.0.link = $BR
lxc.net.0.flags = up"
"$NOOK" create -q -P "$NP" -n b -t busybox
echo "$net" > "$work/net.conf"
"$NOOK" create -q -P "$NP" -n v -t busybox -f "$work/net.conf"
for n in b v; do
  lxc-create -P "$LP" -n $n -t busybox >/dev/null 2>&1
  sed -i '/^lxc.net.0/d' "$LP/$n/config"
done
echo "lxc.net.0.type = empty" >> "$LP/b/config"
echo "$net" >> "$LP/v/config"

# The shell's own clock: $(date) would fork and exec inside every measurement.
gap=$(printf '%d.%03d' $(( ${GAP_MS:-50} / 1000 )) $(( ${GAP_MS:-50} % 1000 )))
declare -A s
t() {
  local k=$1; shift
  local a b
  [[ ${GAP_MS:-50} == 0 ]] || sleep "$gap"
  a=${EPOCHREALTIME/./}; "$@" >/dev/null 2>&1; b=${EPOCHREALTIME/./}
  s[$k]+="$(( b - a )) "
}
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
round() {
  t nook_b "$NOOK" start -P "$NP" -n b; "$NOOK" stop -P "$NP" -k -n b
  t nook_v "$NOOK" start -P "$NP" -n v; "$NOOK" stop -P "$NP" -k -n v
  t lxc_b lxc-start -P "$LP" -n b -d; lxc-wait -P "$LP" -n b -s RUNNING -t 10; lxc-stop -P "$LP" -k -n b
  t lxc_v lxc-start -P "$LP" -n v -d; lxc-wait -P "$LP" -n v -s RUNNING -t 10; lxc-stop -P "$LP" -k -n v
}
round
for k in "${!s[@]}"; do s[$k]=""; done
for ((i = 0; i < rounds; i++)); do round; done
nb=$(median "${s[nook_b]}") nv=$(median "${s[nook_v]}") lb=$(median "${s[lxc_b]}") lv=$(median "${s[lxc_v]}")
printf '%-34s %10s %10s\n' "start, median (us; ${GAP_MS:-50} ms idle)" nook LXC
printf '%-34s %10s %10s\n' "no network" "$nb" "$lb"
printf '%-34s %10s %10s\n' "one veth on a bridge" "$nv" "$lv"
na=$(echo "$nv - $nb" | bc) la=$(echo "$lv - $lb" | bc)
printf '%-34s %10s %10s   ratio %.2f\n' "added by the network" "$na" "$la" "$(echo "$na / $la" | bc -l)"

# Many containers on one bridge.
for ((i = 1; i <= many; i++)); do "$NOOK" create -q -P "$NP" -n "m$i" -t busybox -f "$work/net.conf"; done
# The first ten starts against the last ten (medians), so one slow sample decides nothing.
firsts="" lasts=""
for ((i = 1; i <= many; i++)); do
  [[ ${GAP_MS:-50} == 0 ]] || sleep "$gap"
  a=${EPOCHREALTIME/./}; "$NOOK" start -P "$NP" -n "m$i"; b=${EPOCHREALTIME/./}
  (( i <= 10 )) && firsts+="$(( b - a )) "
  (( i > many - 10 )) && lasts+="$(( b - a )) "
done
first=$(median "$firsts") last=$(median "$lasts")
ports=$(ip -o link show master "$BR" | wc -l)
for ((i = 1; i <= many; i++)); do "$NOOK" stop -P "$NP" -k -n "m$i"; done
left=$(ip -o link show master "$BR" | wc -l)
veths=$(ip -o link show type veth | grep -c vnk || true)
printf '%d containers on %s: start of the first ten %.0f us, of the last ten %.0f us (medians, ratio %.2f); %d ports while running, %d ports and %d nook veths after stop\n' \
  "$many" "$BR" "$first" "$last" "$(echo "$last / $first" | bc -l)" "$ports" "$left" "$veths"
