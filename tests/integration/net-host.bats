#!/usr/bin/env bats
# nook net: host bridges with NAT and DHCP, uplinks, doctor. Everything runs inside network
# namespaces the tests create (see netns-helpers.bash); the machine's own network is never
# touched.
load netns-helpers

setup() {
  netns_setup
  ns_add host
}

teardown() {
  netns_teardown
  local left
  left=$(netns_leftovers)
  [ -z "$left" ] || { echo "left behind: $left"; return 1; }
}

# The host namespace's state that a failed create must not change.
host_state() {
  ip -n "$(ns host)" -o link show | awk '{ print $2 }'
  in_ns host nft list ruleset
  in_ns host sysctl -n net.ipv4.ip_forward
  find "$NT_DIR" -type f ! -name lock -o -mindepth 2 -type d
}

# ---- create: validation, one line naming the flag, nothing touched ----

@test "net create: bad values are one-line errors naming the flag, before anything changes" {
  ip -n "$(ns host)" link add eth9 type veth peer name eth9p
  local before
  before=$(host_state)

  run nook_in host net create nookbr0 --subnet 10.0.3.0/33
  [ "$status" -eq 1 ]
  [ "$output" = "nook: net create nookbr0: --subnet 10.0.3.0/33: expected an IPv4 network in CIDR form" ]

  run nook_in host net create nookbr0 --subnet 10.0.3.0/24 --dhcp 10.0.4.2,10.0.4.9
  [ "$status" -eq 1 ]
  [[ $output == "nook: net create nookbr0: --dhcp 10.0.4.2,10.0.4.9: 10.0.4.2 is outside 10.0.3.0/24"* ]]

  run nook_in host net create nookbr0 --subnet 10.0.3.0/24 --dhcp 10.0.3.1,10.0.3.9
  [ "$status" -eq 1 ]
  [[ $output == *"--dhcp 10.0.3.1,10.0.3.9: includes the gateway 10.0.3.1" ]]

  run nook_in host net create nookbr0 --subnet 10.0.3.0/24 --dhcp 10.0.3.9
  [ "$status" -eq 1 ]
  [[ $output == *"--dhcp 10.0.3.9: expected START,END"* ]]

  run nook_in host net create averyveryverylongname --subnet 10.0.3.0/24
  [ "$status" -eq 1 ]
  [[ $output == *"net create averyveryverylongname: name longer than 15 characters"* ]]

  run nook_in host net create eth9 --subnet 10.0.3.0/24
  [ "$status" -eq 1 ]
  [ "$output" = "nook: net create eth9: eth9 is a veth device, not a bridge" ]

  run nook_in host net create br1 --nat
  [ "$status" -eq 1 ]
  [[ $output == *"net create br1: --nat needs --subnet" ]]

  run nook_in host net create br1 --subnet 10.0.3.0/24 --ipv6 fd00::1/64
  [ "$status" -eq 1 ]
  [[ $output == *"--ipv6 fd00::1/64: host bits set"* ]]

  [ "$(host_state)" = "$before" ]
  ip -n "$(ns host)" addr add 10.0.3.7/24 dev eth9
  before=$(host_state)
  run nook_in host net create br1 --subnet 10.0.3.0/24
  [ "$status" -eq 1 ]
  [[ $output == *"--subnet 10.0.3.0/24: overlaps 10.0.3.7/24 on eth9" ]]

  [ "$(host_state)" = "$before" ]
}

@test "net: usage errors exit 2 and name the option" {
  run nook_in host net
  [ "$status" -eq 2 ]
  run nook_in host net frob
  [ "$status" -eq 2 ]
  [[ $output == *"unknown action 'frob'"* ]]
  run nook_in host net ls --nat
  [ "$status" -eq 2 ]
  [[ $output == *"--nat is not an option of ls"* ]]
  run nook_in host net attach-uplink br0
  [ "$status" -eq 2 ]
  run nook_in host net --help
  [ "$status" -eq 0 ]
  [[ $output == *"attach-uplink BRIDGE IFACE"* ]]
}

# ---- create, ls, rm ----

@test "net create --default: bridge with gateway, masquerade, dnsmasq on the bridge only; rm removes it all" {
  # A new namespace starts with the host's forwarding setting (devconf inheritance): off here,
  # so that nook turning it on, and rm saying it left it on, are what is tested.
  in_ns host sysctl -qw net.ipv4.ip_forward=0
  run nook_in host net create --default
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *"network nookbr0: bridge nookbr0, gateway 10.0.3.1/24, NAT, DHCP 10.0.3.2-10.0.3.254"* ]]
  [[ $output == *"turned on net.ipv4.ip_forward"* ]]
  [ "$(in_ns host cat /proc/sys/net/ipv4/ip_forward)" = 1 ]

  # the bridge, up, with the gateway address
  in_ns host ip -d link show nookbr0 | grep -q 'bridge'
  in_ns host ip -o link show nookbr0 | grep -q '<.*UP.*>'
  in_ns host ip -4 -o addr show dev nookbr0 | grep -q 'inet 10.0.3.1/24'
  [ "$(in_ns host sysctl -n net.ipv4.ip_forward)" = 1 ]

  # nook's own table, one chain named after the network, the masquerade of the subnet
  run in_ns host nft list chain ip nook nookbr0
  echo "$output"
  [[ $output == *"ip saddr 10.0.3.0/24 oifname != \"nookbr0\" masquerade"* ]]

  # dnsmasq: running, from the pid file, bound to the bridge and gateway only
  local pid
  pid=$(cat "$NT_DIR/run/nookbr0/dnsmasq.pid")
  [ -n "$pid" ] && kill -0 "$pid"
  tr '\0' '\n' < "/proc/$pid/cmdline" | grep -qx -- '--interface=nookbr0'
  tr '\0' '\n' < "/proc/$pid/cmdline" | grep -qx -- '--bind-interfaces'
  tr '\0' '\n' < "/proc/$pid/cmdline" | grep -qx -- '--listen-address=10.0.3.1'
  tr '\0' '\n' < "/proc/$pid/cmdline" | grep -qx -- '--conf-file='
  run in_ns host ss -Hlnu
  echo "$output"
  [[ $output == *"10.0.3.1:53"* ]]
  ! echo "$output" | grep -E '(0\.0\.0\.0|\*):53 '
  [ -f "$NT_DIR/state/nookbr0/dnsmasq.leases" ]

  # the definition and default.conf
  grep -qx 'subnet = 10.0.3.0/24' "$NT_DIR/etc/nookbr0.conf"
  grep -qx 'gateway = 10.0.3.1' "$NT_DIR/etc/nookbr0.conf"
  grep -qx 'nat = 1' "$NT_DIR/etc/nookbr0.conf"
  grep -qx 'dhcp = 10.0.3.2,10.0.3.254' "$NT_DIR/etc/nookbr0.conf"
  grep -qx 'lxc.net.0.link = nookbr0' "$NOOK_NET_DEFAULT_CONF"
  grep -qx 'lxc.net.0.hwaddr = 00:16:3e:xx:xx:xx' "$NOOK_NET_DEFAULT_CONF"

  run nook_in host net ls
  echo "$output"
  [ "${lines[0]}" = "NAME            BRIDGE          SUBNET             NAT  DHCP                            STATE" ]
  [[ ${lines[1]} =~ ^nookbr0\ +nookbr0\ +10\.0\.3\.0/24\ +yes\ +10\.0\.3\.2-10\.0\.3\.254\ +up$ ]]
  run nook_in host net ls --format json
  [[ $output == *'"subnet":"10.0.3.0/24"'* && $output == *'"state":"up"'* && $output == *'"nat":true'* ]]

  # creating it again is refused; default.conf with lxc.net keys is left alone
  run nook_in host net create --default
  [ "$status" -eq 1 ]
  [[ $output == *"already defined"* ]]

  run nook_in host net rm nookbr0
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *"IP forwarding left on"* ]]
  ! in_ns host ip link show nookbr0 2>/dev/null
  [ -z "$(in_ns host nft list ruleset)" ]
  ! kill -0 "$pid" 2>/dev/null
  [ -z "$(test_dnsmasq_pids)" ]
  [ ! -e "$NT_DIR/etc/nookbr0.conf" ]
  [ ! -e "$NT_DIR/state/nookbr0" ]
  # new containers no longer point at the removed bridge
  [[ $output == *"no longer join nookbr0"* ]]
  ! grep -q "lxc.net.0.link = nookbr0" "$NOOK_NET_DEFAULT_CONF"
  run nook_in host net ls
  [ "${#lines[@]}" -eq 1 ]
}

@test "net create: dnsmasq's daemonizing leaves no zombie where pid 1 does not reap" {
  # pid 1 of a pid namespace of the test's own is a sleep, which never reaps its orphans
  # (its fds closed: bats waits for every holder of its output to end).
  unshare --pid --fork --mount-proc --kill-child sleep 600 </dev/null >/dev/null 2>&1 3>&- &
  local ush=$! init=""
  for _ in $(seq 50); do init=$(pgrep -P "$ush" -x sleep) && break; sleep 0.1; done
  [ -n "$init" ]
  run nsenter -t "$init" -p -m --net="/run/netns/$(ns host)" -- "$NOOK" net create nktz0 \
    --subnet 10.0.9.0/24 --dhcp 10.0.9.10,10.0.9.20
  echo "$output"
  [ "$status" -eq 0 ]
  ps -o pid=,stat=,comm= --ppid "$init" || true
  local zombies
  zombies=$(ps -o stat= --ppid "$init" | grep -c '^Z' || true)
  nsenter -t "$init" -p -m --net="/run/netns/$(ns host)" -- "$NOOK" net rm nktz0 >/dev/null || true
  # A pid namespace's init takes only SIGKILL from outside it; the namespace ends with it.
  kill -9 "$init" 2>/dev/null || true
  wait "$ush" 2>/dev/null || true
  [ "$zombies" -eq 0 ]
}

@test "net create with --ipv6: the bridge gets the IPv6 gateway, NAT in ip and ip6 tables" {
  run nook_in host net create lab0 --subnet 10.9.0.0/24 --nat --dhcp 10.9.0.10,10.9.0.20 --ipv6 fd42:9::/64
  echo "$output"
  [ "$status" -eq 0 ]
  in_ns host ip -6 -o addr show dev lab0 | grep -q 'fd42:9::1/64'
  [ "$(in_ns host sysctl -n net.ipv6.conf.all.forwarding)" = 1 ]
  in_ns host nft list chain ip6 nook lab0 | grep -q 'ip6 saddr fd42:9::/64 oifname != "lab0" masquerade'
  in_ns host nft list chain ip nook lab0 | grep -q 'ip saddr 10.9.0.0/24'
  [ -n "$(test_dnsmasq_pids)" ]
  # a second network shares nook's table; rm of one leaves the other's chain
  nook_in host net create lab1 --subnet 10.9.1.0/24 --nat
  run nook_in host net create lab2 --subnet 10.9.1.128/25
  [ "$status" -eq 1 ]
  [[ $output == *"--subnet 10.9.1.128/25: overlaps network lab1"* ]]
  nook_in host net rm lab0
  ! in_ns host nft list table ip6 nook 2>/dev/null
  in_ns host nft list chain ip nook lab1 >/dev/null
  ! in_ns host nft list chain ip nook lab0 2>/dev/null
  nook_in host net rm lab1
  [ -z "$(in_ns host nft list ruleset)" ]
}

@test "net create: a failure at any step leaves the namespace as it was" {
  local before step
  before=$(host_state)
  for step in create_bridge add_address bridge_up forwarding nat dnsmasq write_definition default_conf; do
    NOOK_NET_FAIL_AT=$step run nook_in host net create --default
    echo "$step: $output"
    [ "$status" -eq 1 ]
    [[ $output == *"$step: injected failure"* ]]
    [ "$(host_state)" = "$before" ]
    [ -z "$(test_dnsmasq_pids)" ]
  done
}

@test "net up: brings a network back and is idempotent" {
  ns_add client
  nook_in host net create --default >/dev/null
  # the bridge (with its address) gone; a dnsmasq bound to it is useless and is replaced
  local old
  old=$(test_dnsmasq_pids)
  ip -n "$(ns host)" link del nookbr0
  run nook_in host net ls
  [[ ${lines[1]} == *" missing" ]]
  run nook_in host net up
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *"network nookbr0: up"* ]]
  run nook_in host net up nookbr0
  [ "$status" -eq 0 ]
  run nook_in host net ls
  [[ ${lines[1]} == *" up" ]]
  in_ns host ip -4 -o addr show dev nookbr0 | grep -q 'inet 10.0.3.1/24'
  [ "$(in_ns host nft list ruleset | grep -c masquerade)" -eq 1 ]
  [ "$(test_dnsmasq_pids | wc -l)" -eq 1 ]
  [ "$(test_dnsmasq_pids)" != "$old" ]
  veth_link host vnkc0 client eth0
  ip -n "$(ns host)" link set vnkc0 master nookbr0
  dhcp_client client eth0 >/dev/null
  ping_ok client 10.0.3.1
  # what a reboot loses: dnsmasq too
  kill "$(test_dnsmasq_pids)"
  while [ -n "$(test_dnsmasq_pids)" ]; do sleep 0.1; done
  nook_in host net up >/dev/null
  [ "$(test_dnsmasq_pids | wc -l)" -eq 1 ]
  nook_in host net rm --force nookbr0 >/dev/null
}

# ---- DHCP and NAT, end to end ----

@test "net: a client on the bridge gets a DHCP lease and pings the gateway" {
  ns_add client
  nook_in host net create --default >/dev/null
  veth_link host vnkc0 client eth0
  ip -n "$(ns host)" link set vnkc0 master nookbr0
  run dhcp_client client eth0
  echo "$output"
  [ "$status" -eq 0 ]
  in_ns client ip -4 -o addr show dev eth0 | grep -qE 'inet 10\.0\.3\.([2-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-4])/24'
  ping_ok client 10.0.3.1
  local mac
  mac=$(in_ns client cat /sys/class/net/eth0/address)
  grep -q "$mac" "$NT_DIR/state/nookbr0/dnsmasq.leases"
  # with a port left, rm refuses (a running container?) unless forced
  run nook_in host net rm nookbr0
  [ "$status" -eq 1 ]
  [[ $output == *"bridge nookbr0 still has ports: vnkc0"* ]]
  nook_in host net rm --force nookbr0 >/dev/null
}

@test "net: NAT takes the client's traffic out with the host's address" {
  ns_add client
  ns_add outside
  veth_link host up0 outside out0
  ip -n "$(ns host)" addr add 198.51.100.1/24 dev up0
  ip -n "$(ns outside)" addr add 198.51.100.2/24 dev out0
  # the outside counts echo requests by source; it has no route to 10.0.3.0/24 at all
  in_ns outside nft -f - <<'EOF'
table ip t {
  counter from_host {}
  counter from_client {}
  chain in {
    type filter hook input priority 0;
    ip saddr 198.51.100.1 icmp type echo-request counter name from_host
    ip saddr 10.0.3.0/24 counter name from_client
  }
}
EOF
  nook_in host net create --default >/dev/null
  veth_link host vnkc0 client eth0
  ip -n "$(ns host)" link set vnkc0 master nookbr0
  dhcp_client client eth0 >/dev/null
  ping_ok client 198.51.100.2
  in_ns outside nft list counter ip t from_host | grep -q 'packets [1-9]'
  in_ns outside nft list counter ip t from_client | grep -q 'packets 0 '
  # without nook's masquerade the private source goes out as it is, and no answer comes back
  in_ns host nft delete table ip nook
  ! ping_ok client 198.51.100.2
  in_ns outside nft list counter ip t from_client | grep -q 'packets [1-9]'
  nook_in host net rm --force nookbr0 >/dev/null
}

# ---- uplinks ----

# host's "physical" NIC nic, wired to the gw namespace, with IPv4 and IPv6, routes, pinging.
uplink_world() {
  ns_add gw
  veth_link host nic gw gw0
  ip -n "$(ns gw)" addr add 203.0.113.1/24 dev gw0
  ip -n "$(ns gw)" addr add fd77::1/64 dev gw0 nodad
  ip -n "$(ns gw)" route add 198.18.0.0/15 dev gw0
  ip -n "$(ns host)" addr add 203.0.113.2/24 brd + dev nic
  ip -n "$(ns host)" addr add 203.0.113.9/24 brd + dev nic label nic:9
  ip -n "$(ns host)" addr add fd77::2/64 dev nic nodad
  ip -n "$(ns host)" route add default via 203.0.113.1 dev nic metric 100 proto dhcp
  ip -n "$(ns host)" route add 198.18.0.0/15 via 203.0.113.1 dev nic metric 50 proto static src 203.0.113.9
  ip -n "$(ns host)" -6 route add default via fd77::1 dev nic metric 300
  ping_ok host 203.0.113.1
  ping_ok host fd77::1
}

@test "attach-uplink: the host keeps its network and a client on the bridge reaches the gateway" {
  uplink_world
  ns_add client
  local nicmac before
  nicmac=$(in_ns host cat /sys/class/net/nic/address)
  before=$(l3_snapshot host)
  run nook_in host net attach-uplink br0 nic
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *"moved 3 addresses and 3 routes from nic"* ]]
  # the host still reaches the gateway, by IPv4 and IPv6
  ping_ok host 203.0.113.1
  ping_ok host fd77::1
  # everything moved, with metric, protocol, label and prefsrc; the bridge has the NIC's MAC
  [ "$(in_ns host cat /sys/class/net/br0/address)" = "$nicmac" ]
  [ "$(in_ns host cat /sys/class/net/br0/addr_assign_type)" = 3 ]
  [ -z "$(in_ns host ip -o addr show dev nic | grep -v 'inet6 fe80')" ]
  in_ns host ip -4 -o addr show dev br0 | grep -q 'inet 203.0.113.2/24'
  in_ns host ip -4 -o addr show dev br0 | grep -q 'inet 203.0.113.9/24 .* br0:9'
  in_ns host ip -6 -o addr show dev br0 | grep -q 'fd77::2/64'
  [ "$(in_ns host ip route show default | sed 's/ *$//')" = 'default via 203.0.113.1 dev br0 proto dhcp metric 100' ]
  [ "$(in_ns host ip route show 198.18.0.0/15 | sed 's/ *$//')" = '198.18.0.0/15 via 203.0.113.1 dev br0 proto static src 203.0.113.9 metric 50' ]
  in_ns host ip -6 route show default | grep -q 'default via fd77::1 dev br0 metric 300'
  [ -z "$(in_ns host ip route show dev nic)" ]
  [ "$(in_ns host ip -o link show nic | grep -c 'master br0')" -eq 1 ]
  # a client bridged through br0 and the NIC reaches the gateway too
  veth_link host vnkc1 client eth0
  ip -n "$(ns host)" link set vnkc1 master br0
  ip -n "$(ns client)" addr add 203.0.113.3/24 dev eth0
  ping_ok client 203.0.113.1
  run nook_in host net doctor br0
  echo "$output"
  [[ $output != *"port of bridge"* && $output != *"is lower than uplink"* ]]

  # detach: back as it was, bridge gone (nook made it; the client's port is released first)
  ip -n "$(ns host)" link set vnkc1 nomaster
  run nook_in host net detach-uplink br0 nic
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(l3_snapshot host | grep -v vnkc1)" = "$before" ]
  ! in_ns host ip link show br0 2>/dev/null
  ping_ok host 203.0.113.1
  ping_ok host fd77::1
  [ ! -e "$NT_DIR/run/uplink-br0.state" ]
}

@test "attach-uplink: the naive 'ip link set nic master br0' cuts the host off, doctor names it, attach-uplink fixes it" {
  uplink_world
  in_ns host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 || true
  ip -n "$(ns host)" link add br0 type bridge
  ip -n "$(ns host)" link set br0 up
  ip -n "$(ns host)" link set nic master br0
  ! ping_ok host 203.0.113.1
  run nook_in host net doctor br0
  echo "$output"
  [ "$status" -eq 1 ]
  [[ $output == *"nic: port of bridge br0 still has the address 203.0.113.2/24"*"fix: nook net attach-uplink br0 nic"* ]]

  run nook_in host net attach-uplink br0 nic
  echo "$output"
  [ "$status" -eq 0 ]
  ping_ok host 203.0.113.1
  run nook_in host net doctor br0
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = "no problem found" ]
  # detach keeps a bridge nook did not create
  nook_in host net detach-uplink br0 nic >/dev/null
  in_ns host ip link show br0 >/dev/null
  ping_ok host 203.0.113.1
}

@test "attach-uplink: a failure at any step, late ones included, leaves the host exactly as before" {
  uplink_world
  local before step
  before=$(l3_snapshot host)
  for step in create_bridge set_mac bridge_up enslave move_addresses move_routes flush_neigh write_state; do
    NOOK_NET_FAIL_AT=$step run nook_in host net attach-uplink br0 nic
    echo "$step: $output"
    [ "$status" -eq 1 ]
    [[ $output == *"$step: injected failure"* ]]
    [ "$(l3_snapshot host)" = "$before" ]
    ! in_ns host ip link show br0 2>/dev/null
    [ ! -e "$NT_DIR/run/uplink-br0.state" ]
    ping_ok host 203.0.113.1
  done
}

@test "detach-uplink: a failure leaves the uplink attached and working" {
  uplink_world
  nook_in host net attach-uplink br0 nic >/dev/null
  local attached step
  attached=$(l3_snapshot host)
  for step in release move_addresses move_routes flush_neigh remove_state delete_bridge; do
    NOOK_NET_FAIL_AT=$step run nook_in host net detach-uplink br0 nic
    echo "$step: $output"
    [ "$status" -eq 1 ]
    [ "$(l3_snapshot host)" = "$attached" ]
    ping_ok host 203.0.113.1
  done
  run nook_in host net detach-uplink br0 eth7
  [ "$status" -eq 1 ]
  nook_in host net detach-uplink br0 nic >/dev/null
}

# ---- doctor ----

@test "net doctor: finds forwarding off, missing masquerade, forward drop, stray veth, br_netfilter, a stolen MAC" {
  in_ns host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 || true
  nook_in host net create --default >/dev/null
  run nook_in host net doctor
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = "no problem found" ]

  in_ns host sysctl -qw net.ipv4.ip_forward=0
  run nook_in host net doctor
  [ "$status" -eq 1 ]
  [[ $output == *"net.ipv4.ip_forward is 0"*"fix: sysctl -w net.ipv4.ip_forward=1"* ]]
  in_ns host sysctl -qw net.ipv4.ip_forward=1

  in_ns host nft delete table ip nook
  run nook_in host net doctor nookbr0
  [ "$status" -eq 1 ]
  [[ $output == *"network nookbr0: no masquerade for 10.0.3.0/24"*"fix: nook net up nookbr0"* ]]
  # someone else's masquerade of the subnet counts
  in_ns host nft -f - <<'EOF'
table ip other {
  chain post {
    type nat hook postrouting priority 100;
    ip saddr 10.0.0.0/8 masquerade
  }
}
EOF
  run nook_in host net doctor nookbr0
  [ "$status" -eq 0 ]

  in_ns host nft -f - <<'EOF'
table inet fw {
  chain forward {
    type filter hook forward priority 0; policy drop;
  }
}
EOF
  run nook_in host net doctor
  echo "$output"
  [ "$status" -eq 1 ]
  [[ $output == *"table inet fw, chain forward: policy drop on the forward hook drops network nookbr0's routed traffic"* ]]
  in_ns host nft add rule inet fw forward iifname nookbr0 accept
  run nook_in host net doctor
  [ "$status" -eq 0 ]

  # iptables-legacy's rules are out of nftables' sight: read with its own getsockopt calls.
  if command -v iptables-legacy >/dev/null; then
    in_ns host iptables-legacy -P FORWARD DROP
    run nook_in host net doctor
    echo "$output"
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ $output == *"iptables-legacy, table filter, chain FORWARD: policy DROP drops network nookbr0's routed traffic; fix: iptables-legacy -I FORWARD -i nookbr0 -j ACCEPT"* ]]
    # a rule for another interface, or one narrowed by a protocol, does not count
    in_ns host iptables-legacy -A FORWARD -i eth9 -j ACCEPT
    in_ns host iptables-legacy -A FORWARD -i nookbr0 -p tcp -j ACCEPT
    run nook_in host net doctor
    [ "$status" -eq 1 ]
    in_ns host iptables-legacy -A FORWARD -i nookbr0 -j ACCEPT
    run nook_in host net doctor
    echo "$output"
    [ "$status" -eq 0 ]
    in_ns host iptables-legacy -F FORWARD
    in_ns host iptables-legacy -P FORWARD ACCEPT
  fi

  ip -n "$(ns host)" link add vnkstray type veth peer name vnkstray-p
  run nook_in host net doctor
  [ "$status" -eq 1 ]
  [[ $output == *"vnkstray: a container's host-side veth on no bridge"* ]]
  ip -n "$(ns host)" link del vnkstray

  if in_ns host sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null; then
    run nook_in host net doctor
    [ "$status" -eq 1 ]
    [[ $output == *"br_netfilter is loaded with net.bridge.bridge-nf-call-iptables=1"* ]]
    in_ns host sysctl -qw net.bridge.bridge-nf-call-iptables=0
  fi

  # a bridge without a set MAC takes its lowest port's: a port below the uplink's steals it
  ip -n "$(ns host)" link add br5 type bridge
  ip -n "$(ns host)" link add up5 address 52:54:00:00:00:10 type veth peer name up5-p
  ip -n "$(ns host)" link add vnklow address 02:00:00:00:00:01 type veth peer name vnklow-p
  ip -n "$(ns host)" link set up5 master br5
  ip -n "$(ns host)" link set vnklow master br5
  run nook_in host net doctor br5
  echo "$output"
  [ "$status" -eq 1 ]
  [[ $output == *"br5: port vnklow's MAC 02:00:00:00:00:01 is lower than uplink up5's 52:54:00:00:00:10"*"fix: ip link set br5 address 52:54:00:00:00:10"* ]]

  run nook_in host net doctor nosuchbr
  [ "$status" -eq 1 ]
  [[ $output == *"nosuchbr: no such bridge or network"* ]]
  nook_in host net rm nookbr0 >/dev/null
}
