#!/bin/bash
# What a user namespace costs: nook execute -- true, start, attach -- true and stop -k of a
# privileged busybox container beside the same container unprivileged (lxc.idmap, its tree
# owned by the mapped ids), in one run.
# Reports medians of N rounds and unprivileged/privileged ratios; never asserts a time.
#   bench/userns.sh [ROUNDS]        (root; NOOK defaults to build/src/cli/nook)
set -euo pipefail
rounds=${1:-30}
top=$(cd "$(dirname "$0")/.." && pwd)
NOOK=${NOOK:-$top/build/src/cli/nook}
export NOOK_DEFAULT_CONF=""
[[ -x $NOOK ]] || { echo "bench: build nook first ($NOOK)" >&2; exit 1; }
BASE=600000

work=$(mktemp -d /tmp/nook-bench-userns.XXXXXX)
chmod 755 "$work"
cleanup() {
  set +e
  "$NOOK" stop -P "$work" -k -n p >/dev/null 2>&1
  "$NOOK" stop -P "$work" -k -n u >/dev/null 2>&1
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
"$NOOK" create -q -P "$work" -n p -t busybox
"$NOOK" create -q -P "$work" -n u -t busybox
chown -R "$BASE:$BASE" "$work/u"
chown root:root "$work/u/config"
printf 'lxc.idmap = u 0 %s 65536\nlxc.idmap = g 0 %s 65536\n' "$BASE" "$BASE" >> "$work/u/config"

declare -A samples
time_op() {
  local key=$1; shift
  local t0 t1
  t0=${EPOCHREALTIME/./}; "$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; exit 1; }
  t1=${EPOCHREALTIME/./}
  samples[$key]+="$(( t1 - t0 )) "
}
round() {
  local c
  for c in p u; do
    time_op "${c}_execute" "$NOOK" execute -P "$work" -n "$c" -- true
    time_op "${c}_start" "$NOOK" start -P "$work" -n "$c"
    time_op "${c}_attach" "$NOOK" attach -P "$work" -n "$c" -- true
    time_op "${c}_stop" "$NOOK" stop -P "$work" -n "$c" -k
  done
}
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

round
for k in "${!samples[@]}"; do samples[$k]=""; done
for ((i = 0; i < rounds; i++)); do round; done

printf '%-10s %14s %14s %8s\n' op "privileged ms" "unpriv. ms" ratio
for op in execute start attach stop; do
  p=$(median "${samples[p_$op]}")
  u=$(median "${samples[u_$op]}")
  awk -v op="$op" -v p="$p" -v u="$u" 'BEGIN { printf "%-10s %14.2f %14.2f %8.2f\n", op, p / 1000, u / 1000, u / p }'
done
echo "(medians of $rounds rounds; $("$NOOK" --version 2>/dev/null | head -1))"
