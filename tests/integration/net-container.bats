#!/usr/bin/env bats
# Container networks (lxc.net.N.*) on real devices. The host side is a test bridge and test
# links of the tests' own (names nkt*), in a test subnet; the host's own interfaces, addresses
# and routes are never touched.
load helpers

BR=nktbr0
ping() { /bin/busybox ping "$@"; }

setup() {
  setup_lxcpath
  ip link add "$BR" type bridge
  ip addr add 10.231.0.1/24 dev "$BR"
  ip link set "$BR" up
}

teardown() {
  stop_all
  teardown_lxcpath
  if [[ -n ${NT_DIR:-} ]]; then
    nook_host net rm -f nookbr0 >/dev/null 2>&1 || true
    for n in "${NT_NAMESPACES[@]}"; do ip netns del "$n" 2>/dev/null || true; done
    rm -rf "$NT_DIR"
  fi
  for l in "$BR" nktpar0 nktph0 nktph1; do ip link del "$l" 2>/dev/null || true; done
}

veth_on() { # NAME ADDRESS [extra config lines]
  local name=$1 addr=$2
  {
    echo "lxc.net.0.type = veth"
    echo "lxc.net.0.link = $BR"
    echo "lxc.net.0.flags = up"
    echo "lxc.net.0.hwaddr = 00:16:3e:xx:xx:xx"
    echo "lxc.net.0.ipv4.address = $addr"
    echo "lxc.net.0.ipv4.gateway = auto"
  } | make_busybox "$name"
}

@test "two veth containers on one bridge ping each other and the host" {
  veth_on c1 10.231.0.11/24
  veth_on c2 10.231.0.12/24
  nook start -P "$LP" -n c1
  nook start -P "$LP" -n c2
  run nook attach -P "$LP" -n c1 -- ping -c 1 -W 2 10.231.0.12
  [ "$status" -eq 0 ]
  run nook attach -P "$LP" -n c2 -- ping -c 1 -W 2 10.231.0.11
  [ "$status" -eq 0 ]
  run nook attach -P "$LP" -n c1 -- ping -c 1 -W 2 10.231.0.1
  [ "$status" -eq 0 ]
  ping -c 1 -W 2 10.231.0.12
  # gateway auto: the bridge's address
  run nook attach -P "$LP" -n c1 -- ip route
  [[ $output == *"default via 10.231.0.1"* ]]
}

@test "the host end of a veth has an fe: MAC and sits on the bridge; nothing is left after stop" {
  veth_on c3 10.231.0.13/24
  nook start -P "$LP" -n c3
  ports=$(ip -o link show master "$BR" | awk -F': ' '{print $2}' | cut -d@ -f1)
  [ -n "$ports" ]
  for p in $ports; do
    [[ $(cat /sys/class/net/$p/address) == fe:* ]]
  done
  run nook attach -P "$LP" -n c3 -- cat /sys/class/net/eth0/address
  [[ $output == 00:16:3e:* ]]
  nook stop -P "$LP" -n c3 -k
  [ -z "$(ip -o link show master "$BR")" ]
  [ -z "$(ip -o link show type veth | grep vnk || true)" ]
}

@test "info -i and ls --fancy show the container's address" {
  veth_on c4 10.231.0.14/24
  nook start -P "$LP" -n c4
  run nook info -P "$LP" -n c4 -i
  [[ $output == *"10.231.0.14"* ]]
  run nook ls -P "$LP" --fancy
  [[ $output == *c4*RUNNING*10.231.0.14* ]]
  run nook info -P "$LP" -n c4 --format json
  echo "$output" | python3 -c 'import json,sys; assert "10.231.0.14" in json.load(sys.stdin)["ipv4"]'
}

@test "a missing bridge is one line naming the key, and nothing is created" {
  printf 'lxc.net.0.type = veth\nlxc.net.0.link = nktnobr\nlxc.net.0.flags = up\n' | make_busybox c5
  before=$(ip -o link | wc -l)
  run nook start -P "$LP" -n c5
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"lxc.net.0.link"*"nktnobr"* ]]
  [ "$(ip -o link | wc -l)" -eq "$before" ]
  [ -z "$(leftovers c5)" ]
}

@test "a link that is not a bridge is refused for a bridged veth" {
  ip link add nktph0 type veth peer name nktph1
  printf 'lxc.net.0.type = veth\nlxc.net.0.link = nktph0\n' | make_busybox c6
  run nook start -P "$LP" -n c6
  [ "$status" -eq 1 ]
  [[ $output == *"nktph0 is not a bridge"* ]]
}

@test "a failure after the veth exists (a bad gateway) removes it" {
  printf 'lxc.net.0.type = veth\nlxc.net.0.link = %s\nlxc.net.0.flags = up\nlxc.net.0.ipv6.address = fd42::5/64\nlxc.net.0.ipv6.gateway = fd43::1\n' "$BR" | make_busybox c7
  run nook start -P "$LP" -n c7
  [ "$status" -eq 1 ]
  [ -z "$(ip -o link show master "$BR")" ]
  [ -z "$(leftovers c7)" ]
}

@test "macvlan containers on one parent reach each other" {
  ip link add nktpar0 type veth peer name nktph1
  ip link set nktpar0 up; ip link set nktph1 up
  for n in 1 2; do
    printf 'lxc.net.0.type = macvlan\nlxc.net.0.macvlan.mode = bridge\nlxc.net.0.link = nktpar0\nlxc.net.0.flags = up\nlxc.net.0.ipv4.address = 10.232.0.%s/24\n' "$n" | make_busybox "m$n"
    nook start -P "$LP" -n "m$n"
  done
  run nook attach -P "$LP" -n m1 -- ping -c 1 -W 2 10.232.0.2
  [ "$status" -eq 0 ]
}

@test "a phys NIC goes into the container and comes back under its name" {
  ip link add nktph0 type veth peer name nktph1
  ip addr add 10.233.0.1/24 dev nktph1
  ip link set nktph1 up
  printf 'lxc.net.0.type = phys\nlxc.net.0.link = nktph0\nlxc.net.0.flags = up\nlxc.net.0.ipv4.address = 10.233.0.2/24\n' | make_busybox p1
  nook start -P "$LP" -n p1
  ! ip link show nktph0 2>/dev/null
  ping -c 1 -W 2 10.233.0.2
  nook stop -P "$LP" -n p1 -k
  for _ in $(seq 20); do ip link show nktph0 >/dev/null 2>&1 && break; sleep 0.1; done
  ip link show nktph0
}

@test "several networks come in order: eth0, eth1" {
  printf 'lxc.net.0.type = veth\nlxc.net.0.link = %s\nlxc.net.0.flags = up\nlxc.net.0.ipv4.address = 10.231.0.21/24\nlxc.net.1.type = veth\nlxc.net.1.link = %s\nlxc.net.1.name = second\nlxc.net.1.flags = up\nlxc.net.2.type = empty\n' "$BR" "$BR" | make_busybox c8
  nook start -P "$LP" -n c8
  run nook attach -P "$LP" -n c8 -- ls /sys/class/net
  [[ $output == *eth0* && $output == *second* && $output == *lo* ]]
}

# nook in the test "host" namespace: nsenter joins only its network namespace (ip netns exec
# would also remount /sys, hiding the cgroup file systems nook needs).
nook_host() {
  nsenter --net="/run/netns/$(ns host)" "$NOOK" "$@"
}

@test "a busybox container gets a DHCP lease from the default network nookbr0 and reaches the outside through NAT" {
  source "$BATS_TEST_DIRNAME/netns-helpers.bash"
  netns_setup
  # A "host" namespace with nookbr0 (NAT, DHCP), wired to an "outside" namespace.
  ns_add host
  ns_add out
  veth_link host up0 out down0
  in_ns out ip addr add 198.51.100.1/24 dev down0
  in_ns host ip addr add 198.51.100.2/24 dev up0
  in_ns host ip route add default via 198.51.100.1
  nook_host net create --default
  grep -q "lxc.net.0.link = nookbr0" "$NOOK_NET_DEFAULT_CONF"
  # The container's config comes from that default.conf, as nook create would merge it.
  make_busybox d1 < "$NOOK_NET_DEFAULT_CONF"
  nook_host start -P "$LP" -n d1
  for _ in $(seq 50); do
    addr=$(nook_host info -P "$LP" -n d1 -i | awk '{print $2}')
    [[ $addr == 10.0.3.* ]] && break
    sleep 0.2
  done
  echo "address: $addr"
  [[ $addr == 10.0.3.* ]]
  grep -q "$addr" "$NOOK_NET_STATEDIR"/nookbr0/dnsmasq.leases
  run nook_host attach -P "$LP" -n d1 -- ping -c 1 -W 2 198.51.100.1
  [ "$status" -eq 0 ]
  nook_host stop -P "$LP" -n d1 -k
  nook_host net rm nookbr0
}
