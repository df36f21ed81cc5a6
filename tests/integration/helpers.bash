# Shared set-up for nook's command-line tests: every test gets its own lxcpath in a temp dir,
# so the host's containers are never touched, and checks nothing is left behind.
NOOK=${NOOK:-$BATS_TEST_DIRNAME/../../build/src/cli/nook}

# The host's /etc/nook/default.conf (a default network, say) must not leak into the tests.
export NOOK_DEFAULT_CONF=""

setup_lxcpath() {
  LP=$(mktemp -d /tmp/nook-test.XXXXXX)
  export LP
}

teardown_lxcpath() {
  if [[ -n ${LP:-} && -d $LP ]]; then
    rm -rf --one-file-system "$LP"
  fi
}

nook() {
  "$NOOK" "$@"
}

# A multi-call link to nook under an lxc-* name, in a temp bin dir.
lxc_link() {
  local d=$BATS_TEST_TMPDIR/bin
  mkdir -p "$d"
  ln -sf "$(readlink -f "$NOOK")" "$d/$1"
  echo "$d/$1"
}

# Asserts the output is exactly one line.
one_line() {
  [ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ] || { echo "expected one line, got: $output"; return 1; }
}

# A busybox container in $LP named $1, with extra config lines from stdin if any.
make_busybox() {
  local name=$1
  if [[ ! -t 0 ]]; then
    cat > "$LP/$name.extra.conf"
    nook create -q -P "$LP" -n "$name" -t busybox -f "$LP/$name.extra.conf"
  else
    nook create -q -P "$LP" -n "$name" -t busybox
  fi
}

# Everything a container may leave on the host, for after-stop checks.
leftovers() {
  local name=$1
  find /sys/fs/cgroup -maxdepth 4 -type d -path "*nook.payload*" -name "*$name" 2>/dev/null
  pgrep -f "nook monitor\] $LP $name\$" || true
  grep -F "$LP/$name" /proc/self/mountinfo || true
}

stop_all() {
  local d
  for d in "$LP"/*/; do
    [[ -f $d/config ]] || continue
    "$NOOK" stop -P "$LP" -k "$(basename "$d")" >/dev/null 2>&1 || true
  done
}
