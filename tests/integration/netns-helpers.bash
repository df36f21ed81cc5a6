# Network namespaces for nook's network tests. Every test builds its own small world of
# namespaces ("host", "client", "outside", "gw", ...) named nooktest-<id>-<role>, wired with
# veth pairs, and runs nook inside them: nothing here touches the machine's own interfaces,
# addresses, routes, sysctls or firewall. `ip` is only ever run with -n NS or inside a test
# namespace (the only exceptions: `ip netns add/del/pids` of our own namespaces).
#
# nook's network paths are redirected into a temp dir through its test hooks
# (NOOK_NET_CONFDIR, NOOK_NET_RUNDIR, NOOK_NET_STATEDIR, NOOK_NET_DEFAULT_CONF).
NOOK=${NOOK:-$BATS_TEST_DIRNAME/../../build/src/cli/nook}
NOOK=$(readlink -f "$NOOK")
BUSYBOX=${BUSYBOX:-/bin/busybox}

netns_setup() {
  NT_ID=$(printf '%04x' $((RANDOM ^ $$)))
  NT_DIR=$(mktemp -d /tmp/nook-nettest.XXXXXX)
  export NOOK_NET_CONFDIR=$NT_DIR/etc NOOK_NET_RUNDIR=$NT_DIR/run
  export NOOK_NET_STATEDIR=$NT_DIR/state NOOK_NET_DEFAULT_CONF=$NT_DIR/default.conf
  NT_NAMESPACES=()
}

# The name of a role's namespace.
ns() {
  echo "nooktest-$NT_ID-$1"
}

# A new namespace for role $1, loopback up, IPv6 DAD off (addresses usable at once).
ns_add() {
  local n
  n=$(ns "$1")
  ip netns add "$n"
  NT_NAMESPACES+=("$n")
  ip -n "$n" link set lo up
  ip netns exec "$n" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
}

# Runs a command inside role $1's namespace.
in_ns() {
  local n
  n=$(ns "$1")
  shift
  ip netns exec "$n" "$@"
}

# nook, run in role $1's namespace.
nook_in() {
  local n
  n=$(ns "$1")
  shift
  ip netns exec "$n" "$NOOK" "$@"
}

# veth_link ROLE1 IF1 ROLE2 IF2: a veth pair between two namespaces, both ends up.
veth_link() {
  ip -n "$(ns "$1")" link add "$2" type veth peer name "$4" netns "$(ns "$3")"
  ip -n "$(ns "$1")" link set "$2" up
  ip -n "$(ns "$3")" link set "$4" up
}

# ping_ok ROLE ADDR: one echo answered within 2 s (busybox ping: no iputils needed).
ping_ok() {
  in_ns "$1" "$BUSYBOX" ping -c1 -W2 "$2" >/dev/null 2>&1
}

# A DHCP lease for IF in role $1 from busybox udhcpc; the script applies address and router.
dhcp_client() {
  local script=$NT_DIR/udhcpc.sh
  cat > "$script" <<'EOF'
#!/bin/sh
case "$1" in
bound|renew)
  ip addr add "$ip/$mask" dev "$interface"
  [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
  ;;
esac
exit 0
EOF
  chmod +x "$script"
  in_ns "$1" timeout 30 "$BUSYBOX" udhcpc -i "$2" -n -q -t 15 -T 1 -s "$script"
}

# Addresses (except IPv6 link-local, which a device makes itself) and every route of every
# table of role $1's namespace, one sorted line each: two snapshots compare equal when the
# namespace's layer 3 is as it was.
l3_snapshot() {
  {
    in_ns "$1" ip -o addr show | grep -v 'inet6 fe80' | awk '{ $1 = ""; print }'
    in_ns "$1" ip -4 route show table all
    in_ns "$1" ip -6 route show table all | grep -v 'fe80::'
    in_ns "$1" ip -o link show | awk '{ print $2 }'
  } | sed 's/ *$//' | sort
}

# The dnsmasq processes this test started (their pid file is under NT_DIR).
test_dnsmasq_pids() {
  pgrep -f -- "--pid-file=$NT_DIR/" || true
}

netns_teardown() {
  local pid n
  for pid in $(test_dnsmasq_pids); do
    kill "$pid" 2>/dev/null || true
  done
  for n in "${NT_NAMESPACES[@]}"; do
    for pid in $(ip netns pids "$n" 2>/dev/null); do
      kill -9 "$pid" 2>/dev/null || true
    done
    ip netns del "$n" 2>/dev/null || true
  done
  if [[ -n ${NT_DIR:-} && -d $NT_DIR ]]; then
    rm -rf --one-file-system "$NT_DIR"
  fi
}

# What this test left behind: namespaces, dnsmasq processes. Empty when clean.
netns_leftovers() {
  ip netns list | grep -F "nooktest-$NT_ID-" || true
  test_dnsmasq_pids
}
