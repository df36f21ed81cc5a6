#!/bin/bash
# Side-by-side runtime benchmark: nook against LXC (Debian's lxc package) on one host, in one
# run, on the same busybox rootfs layout with no network (lxc.net.0.type = empty).
# Reports medians of N rounds and nook/LXC ratios; never asserts a time.
#   bench/runtime.sh [ROUNDS]        (root; builds nothing: NOOK defaults to build/src/cli/nook)
# GAP_MS=50 idles that long before each timed operation. Back to back (the default), an
# operation can find the kernel's cgroup migration lock still warm from the one before (the
# first cgroup.procs write after a quiet spell waits for an RCU grace period, 5-20 ms here, the
# next ones within about a grace period do not), so each tool's figures also depend on what ran
# just before; with a gap every operation pays its own way, as a command typed by hand does.
set -euo pipefail
rounds=${1:-30}
top=$(cd "$(dirname "$0")/.." && pwd)
NOOK=${NOOK:-$top/build/src/cli/nook}
export NOOK_DEFAULT_CONF=""   # the host's default network must not change what is measured
command -v lxc-start >/dev/null || { echo "bench: LXC is not installed (apt-get install lxc)" >&2; exit 1; }
[[ -x $NOOK ]] || { echo "bench: build nook first ($NOOK)" >&2; exit 1; }

work=$(mktemp -d /tmp/nook-bench.XXXXXX)
NP=$work/nook LP=$work/lxc
cleanup() {
  set +e # clean up all of it, whatever fails
  "$NOOK" stop -P "$NP" -k -n b >/dev/null 2>&1 || true
  lxc-stop -P "$LP" -k -n b >/dev/null 2>&1 || true
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
mkdir -p "$NP" "$LP"
"$NOOK" create -q -P "$NP" -n b -t busybox
lxc-create -P "$LP" -n b -t busybox >/dev/null 2>&1
sed -i '/^lxc.net.0/d' "$LP/b/config"
echo "lxc.net.0.type = empty" >> "$LP/b/config"

declare -A samples
# time_op KEY CMD...: appends the wall time of CMD in microseconds to samples[KEY]. The clock is
# the shell's own (bash 5): $(date +%s%N) would fork and exec date inside every measurement,
# adding about 1 ms to each side and pulling every ratio towards 1.
gap=$(printf '%d.%03d' $(( ${GAP_MS:-0} / 1000 )) $(( ${GAP_MS:-0} % 1000 )))
time_op() {
  local key=$1; shift
  local t0 t1
  [[ ${GAP_MS:-0} == 0 ]] || sleep "$gap"
  t0=${EPOCHREALTIME/./}; "$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; exit 1; }
  t1=${EPOCHREALTIME/./}
  samples[$key]+="$(( t1 - t0 )) "
}
# start returns once RUNNING for both (lxc-start -d waits for RUNNING as well)
round() {
  time_op nook_start "$NOOK" start -P "$NP" -n b
  time_op nook_attach "$NOOK" attach -P "$NP" -n b -- true
  time_op nook_stop "$NOOK" stop -P "$NP" -n b -k
  time_op nook_execute "$NOOK" execute -P "$NP" -n b -- true
  time_op lxc_start lxc-start -P "$LP" -n b -d
  lxc-wait -P "$LP" -n b -s RUNNING -t 10
  time_op lxc_attach lxc-attach -P "$LP" -n b -- true
  time_op lxc_stop lxc-stop -P "$LP" -n b -k
  time_op lxc_execute lxc-execute -P "$LP" -n b -- true
}
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

round # warm caches
for k in "${!samples[@]}"; do samples[$k]=""; done
for ((i = 0; i < rounds; i++)); do round; done

# Monitor memory: one running container each.
"$NOOK" start -P "$NP" -n b
lxc-start -P "$LP" -n b -d
lxc-wait -P "$LP" -n b -s RUNNING -t 10
sleep 0.5
nmon=$(pgrep -f "^\[nook monitor\] $NP b$")
lmon=$(pgrep -f "^\[lxc monitor\] $LP b$")
nrss=$(awk '/VmRSS/ {print $2}' "/proc/$nmon/status")
lrss=$(awk '/VmRSS/ {print $2}' "/proc/$lmon/status")

printf '%-22s %12s %12s %8s\n' "operation (median)" "nook (us)" "LXC (us)" "ratio"
for op in start attach stop execute; do
  n=$(median "${samples[nook_$op]}") l=$(median "${samples[lxc_$op]}")
  printf '%-22s %12s %12s %8.2f\n' "$op" "$n" "$l" "$(echo "$n / $l" | bc -l)"
done
n=0 l=0
for op in start attach stop; do
  n=$(echo "$n + $(median "${samples[nook_$op]}")" | bc) l=$(echo "$l + $(median "${samples[lxc_$op]}")" | bc)
done
printf '%-22s %12s %12s %8.2f\n' "start+attach+stop" "$n" "$l" "$(echo "$n / $l" | bc -l)"
printf '%-22s %12s %12s %8.2f\n' "monitor RSS (kB)" "$nrss" "$lrss" "$(echo "$nrss / $lrss" | bc -l)"
echo "($rounds rounds; LXC $(lxc-start --version); busybox rootfs, no network;" \
  "${GAP_MS:-0} ms idle before each operation)"
