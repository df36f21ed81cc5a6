#!/usr/bin/env bats
# Container networks (lxc.net.N.*) on real devices. The host side is a test bridge and test
# links of the tests' own (names nkt*), in a test subnet; the host's own interfaces, addresses
# and routes are never touched.
load helpers

BR=nktbr0
ping() { /bin/busybox ping "$@"; }

setup() {
  setup_lxcpath
  # A suffix for this test's own host links (veth.pair, bridges, parents): nkt<role>$ID.
  ID=$(printf '%04x' $((RANDOM)))
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
  for l in "$BR" nktpar0 nktph0 nktph1 "nktv$ID" "nktl$ID"; do
    ip link del "$l" 2>/dev/null || true
  done
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

# ---- host routes, router mode ----

@test "router mode: host routes through the host end (veth.ipv4/ipv6.route too), the host pings the container; all gone at stop" {
  local pair=nktr$ID
  cat <<EOF | make_busybox r1
lxc.net.0.type = veth
lxc.net.0.veth.mode = router
lxc.net.0.veth.pair = $pair
lxc.net.0.flags = up
lxc.net.0.ipv4.address = 10.235.0.5/32
lxc.net.0.ipv4.gateway = 169.254.0.1
lxc.net.0.veth.ipv4.route = 10.235.1.0/24
lxc.net.0.ipv6.address = fd42:235::5/128
lxc.net.0.veth.ipv6.route = fd42:236::/64
EOF
  nook start -P "$LP" -n r1
  [[ $(ip route show 10.235.0.5) == *"dev $pair"* ]]
  [[ $(ip route show 10.235.1.0/24) == *"dev $pair"* ]]
  [[ $(ip -6 route show fd42:235::5) == *"dev $pair"* ]]
  [[ $(ip -6 route show fd42:236::/64) == *"dev $pair"* ]]
  # The host end answers ARP for the gateway the container was given (it exists nowhere).
  [[ $(ip neigh show proxy dev "$pair") == *169.254.0.1* ]]
  [ "$(cat "/proc/sys/net/ipv4/conf/$pair/forwarding")" = 1 ]
  run nook attach -P "$LP" -n r1 -- ip route
  [[ $output == *"default via 169.254.0.1"* ]]
  ping -c 1 -W 2 10.235.0.5
  nook stop -P "$LP" -n r1 -k
  ! ip link show "$pair" 2>/dev/null
  [ -z "$(ip route show 10.235.0.5)" ]
  [ -z "$(ip route show 10.235.1.0/24)" ]
  [ -z "$(ip -6 route show fd42:236::/64)" ]
}

@test "veth.ipv4.route in bridge mode: a route on the host towards the container's host end" {
  local pair=nktb$ID
  printf 'lxc.net.0.type = veth\nlxc.net.0.link = %s\nlxc.net.0.veth.pair = %s\nlxc.net.0.flags = up\nlxc.net.0.ipv4.address = 10.231.0.31/24\nlxc.net.0.veth.ipv4.route = 10.237.0.0/24\n' "$BR" "$pair" | make_busybox rb
  nook start -P "$LP" -n rb
  [[ $(ip route show 10.237.0.0/24) == *"dev $pair"* ]]
  nook stop -P "$LP" -n rb -k
  [ -z "$(ip route show 10.237.0.0/24)" ]
}

@test "a veth.ipv4.route the host has already fails the start naming the key, and nothing is left" {
  ip route add 10.238.0.0/24 dev "$BR"
  printf 'lxc.net.0.type = veth\nlxc.net.0.link = %s\nlxc.net.0.flags = up\nlxc.net.0.veth.ipv4.route = 10.238.0.0/24\n' "$BR" | make_busybox rx
  run nook start -P "$LP" -n rx
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"lxc.net.0.veth.ipv4.route"*"10.238.0.0/24"* ]]
  [ -z "$(ip -o link show master "$BR")" ]
  [ -z "$(leftovers rx)" ]
}

# ---- bridge VLANs ----

@test "veth.vlan.id on a bridge without vlan_filtering: one line naming the key, nothing created" {
  printf 'lxc.net.0.type = veth\nlxc.net.0.link = %s\nlxc.net.0.veth.vlan.id = 10\n' "$BR" | make_busybox v1
  before=$(ip -o link | wc -l)
  run nook start -P "$LP" -n v1
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"lxc.net.0.veth.vlan.id: bridge $BR does not filter VLANs"* ]]
  [ "$(ip -o link | wc -l)" -eq "$before" ]
  [ -z "$(leftovers v1)" ]
  printf 'lxc.net.0.type = veth\nlxc.net.0.link = %s\nlxc.net.0.veth.vlan.id = 10\nlxc.net.0.veth.vlan.tagged.id = 10\n' "$BR" | make_busybox v2
  run nook start -P "$LP" -n v2
  [ "$status" -eq 1 ]
  [[ $output == *"lxc.net.0.veth.vlan.tagged.id: 10 is veth.vlan.id already"* ]]
}

@test "veth.vlan.id and veth.vlan.tagged.id: the host port's PVID and tagged VLANs on a vlan_filtering bridge" {
  local vbr=nktv$ID pair=nktp$ID
  ip link add "$vbr" type bridge vlan_filtering 1 2>/dev/null ||
    skip "this kernel's bridge cannot filter VLANs (CONFIG_BRIDGE_VLAN_FILTERING); tested in the VM (tests/qemu/nook-net.sh)"
  ip link set "$vbr" up
  printf 'lxc.net.0.type = veth\nlxc.net.0.link = %s\nlxc.net.0.veth.pair = %s\nlxc.net.0.veth.vlan.id = 10\nlxc.net.0.veth.vlan.tagged.id = 20\nlxc.net.0.veth.vlan.tagged.id = 30\n' "$vbr" "$pair" | make_busybox v3
  nook start -P "$LP" -n v3
  run bridge -j vlan show dev "$pair"
  echo "$output"
  echo "$output" | python3 -c '
import json, sys
vlans = {v["vlan"]: v.get("flags", []) for e in json.load(sys.stdin) for v in e["vlans"]}
assert set(vlans) == {10, 20, 30}, vlans
assert "PVID" in vlans[10] and "Egress Untagged" in vlans[10], vlans
assert not vlans[20] and not vlans[30], vlans'
  nook stop -P "$LP" -n v3 -k
  [ -z "$(bridge vlan show dev "$pair" 2>/dev/null)" ]
}

# ---- queues ----

@test "veth.n_rxqueues and veth.n_txqueues: both ends have that many queues" {
  local pair=nktq$ID
  printf 'lxc.net.0.type = veth\nlxc.net.0.link = %s\nlxc.net.0.veth.pair = %s\nlxc.net.0.veth.n_rxqueues = 4\nlxc.net.0.veth.n_txqueues = 3\n' "$BR" "$pair" | make_busybox q1
  nook start -P "$LP" -n q1
  ip -d link show "$pair" | grep -q "numtxqueues 3 numrxqueues 4"
  [ "$(ls "/sys/class/net/$pair/queues" | grep -c '^rx-')" -eq 4 ]
  [ "$(ls "/sys/class/net/$pair/queues" | grep -c '^tx-')" -eq 3 ]
  run nook attach -P "$LP" -n q1 -- ls /sys/class/net/eth0/queues
  [ "$(echo "$output" | tr ' ' '\n' | grep -c '^rx-')" -eq 4 ]
  [ "$(echo "$output" | tr ' ' '\n' | grep -c '^tx-')" -eq 3 ]
}

# ---- l2proxy ----

# A host link of the test's own for l2proxy, with forwarding (and proxy_ndp) on as LXC requires.
l2proxy_link() {
  ip link add "nktl$ID" type veth peer name "nktm$ID"
  ip link set "nktl$ID" up
  # Set either way: a new device starts with the host's default, which may be on.
  local v=0
  [[ ${1:-on} == on ]] && v=1
  sysctl -qw "net.ipv4.conf.nktl$ID.forwarding=$v" "net.ipv6.conf.nktl$ID.forwarding=$v" \
    "net.ipv6.conf.nktl$ID.proxy_ndp=$v"
}

@test "l2proxy: proxy entries on the link for the container's addresses, removed at stop" {
  l2proxy_link
  printf 'lxc.net.0.type = veth\nlxc.net.0.veth.mode = router\nlxc.net.0.link = nktl%s\nlxc.net.0.l2proxy = 1\nlxc.net.0.flags = up\nlxc.net.0.ipv4.address = 10.236.0.5/32\nlxc.net.0.ipv6.address = fd42:237::5/128\n' "$ID" | make_busybox l1
  nook start -P "$LP" -n l1
  run ip neigh show proxy dev "nktl$ID"
  echo "$output"
  [[ $output == *10.236.0.5* ]]
  [[ $output == *fd42:237::5* ]]
  nook stop -P "$LP" -n l1 -k
  [ -z "$(ip neigh show proxy dev "nktl$ID")" ]
}

@test "l2proxy without forwarding on the link: one line naming the key, nothing created" {
  l2proxy_link off
  printf 'lxc.net.0.type = veth\nlxc.net.0.veth.mode = router\nlxc.net.0.link = nktl%s\nlxc.net.0.l2proxy = 1\nlxc.net.0.ipv4.address = 10.236.0.6/32\n' "$ID" | make_busybox l2
  before=$(ip -o link | wc -l)
  run nook start -P "$LP" -n l2
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"lxc.net.0.l2proxy: needs net.ipv4.conf.nktl$ID.forwarding = 1"* ]]
  [ "$(ip -o link | wc -l)" -eq "$before" ]
  [ -z "$(ip neigh show proxy dev "nktl$ID")" ]
}

# ---- scripts ----

# A net script that logs its arguments, LXC's variables and whether the host end exists.
net_script() {
  cat > "$LP/net.sh" <<'SCRIPT'
#!/bin/sh
dir=$(dirname "$0")
peer=absent
[ -n "$LXC_NET_PEER" ] && [ -e "/sys/class/net/$LXC_NET_PEER" ] && peer=present
echo "$* | $LXC_NAME $LXC_HOOK_SECTION $LXC_HOOK_TYPE $LXC_NET_TYPE $LXC_NET_PARENT $LXC_NET_PEER $peer" >> "$dir/net.log"
SCRIPT
  chmod +x "$LP/net.sh"
}

@test "script.up and script.down run with LXC's arguments and variables; down at stop, before the host end goes" {
  local pair=nkts$ID
  net_script
  printf 'lxc.net.0.type = veth\nlxc.net.0.link = %s\nlxc.net.0.veth.pair = %s\nlxc.net.0.script.up = %s\nlxc.net.0.script.down = %s\n' "$BR" "$pair" "$LP/net.sh" "$LP/net.sh" | make_busybox s1
  nook start -P "$LP" -n s1
  cat "$LP/net.log"
  [ "$(cat "$LP/net.log")" = "s1 net up veth $BR $pair | s1 net up veth $BR $pair present" ]
  nook stop -P "$LP" -n s1 -k
  cat "$LP/net.log"
  [ "$(sed -n 2p "$LP/net.log")" = "s1 net down veth $BR $pair | s1 net down veth $BR $pair present" ]
  ! ip link show "$pair" 2>/dev/null
}

@test "a start that fails after script.up runs script.down and removes l2proxy's entries" {
  l2proxy_link
  net_script
  printf 'lxc.net.0.type = veth\nlxc.net.0.veth.mode = router\nlxc.net.0.link = nktl%s\nlxc.net.0.l2proxy = 1\nlxc.net.0.ipv4.address = 10.236.0.7/32\nlxc.net.0.script.up = %s\nlxc.net.0.script.down = %s\nlxc.hook.start-host = /bin/false\n' "$ID" "$LP/net.sh" "$LP/net.sh" | make_busybox s2
  run nook start -P "$LP" -n s2
  [ "$status" -eq 1 ]
  cat "$LP/net.log"
  grep -q "^s2 net up veth nktl$ID " "$LP/net.log"
  grep -q "^s2 net down veth nktl$ID " "$LP/net.log"
  [ -z "$(ip neigh show proxy dev "nktl$ID")" ]
  [ -z "$(leftovers s2)" ]
}

# ---- gateways ----

@test "ipv6.gateway = auto: the bridge's IPv6 address is the container's default route" {
  ip addr add fd42:231::1/64 dev "$BR" nodad
  printf 'lxc.net.0.type = veth\nlxc.net.0.link = %s\nlxc.net.0.flags = up\nlxc.net.0.ipv6.address = fd42:231::11/64\nlxc.net.0.ipv6.gateway = auto\n' "$BR" | make_busybox g6
  nook start -P "$LP" -n g6
  run nook attach -P "$LP" -n g6 -- ip -6 route
  echo "$output"
  [[ $output == *"default via fd42:231::1"* ]]
}
