#!/bin/busybox sh
# shellcheck shell=dash
# The cases are functions that t calls by name, which shellcheck takes for unreachable code.
# shellcheck disable=SC2317
# Inside the test VM, after nook-v2.sh: the container network types the development host's kernel
# cannot make (vlan, ipvlan, veth.vlan.id on a VLAN-filtering bridge; macvlan too), with real
# busybox containers, on Debian's kernel. nook makes every container device; the tests only build
# the outside (uplinks, a far end in a namespace of its own, a bridge) and observe. A type this
# kernel cannot make (its module missing) is reported as skipped, never passed. TAP.
export PATH=/nook/bin:/bin:/sbin:/usr/bin NOOK_TEMPLATE_DIR=/nook/templates NOOK_INIT=/nook/nook-init
export NOOK_SECCOMP_DIR=/nook/seccomp NOOK_DEFAULT_CONF=""
[ -x /nook/nook-monitor ] && export NOOK_MONITOR=/nook/nook-monitor
N=/nook/nook
P=/tmp/lxcpath-net
# iproute2, by path: this busybox prefers its own applets (whose ip cannot name a veth's peer or
# make a VLAN-filtering bridge) to PATH, in its shell and in nsenter alike.
IP=/nook/bin/ip
BRIDGE=/nook/bin/bridge
n=0 fail=0
# The reason while a group's kernel support is missing: its cases are then skipped.
unsupported=""
t() { # t DESCRIPTION CMD...
  desc=$1; shift
  n=$((n + 1))
  if [ -n "$unsupported" ]; then echo "ok $n - $desc # skip $unsupported"; return 0; fi
  t0=$(cut -d' ' -f1 /proc/uptime)
  if out=$("$@" 2>&1); then r="ok"; else r="not ok"; fail=1; fi
  echo "$r $n - $desc # $(awk -v t0="$t0" '{printf "%.2f s", $1 - t0}' /proc/uptime)"
  [ "$r" = ok ] || echo "$out" | sed 's/^/# /'
}
need() { # need WHAT CMD...: can this kernel do it? Sets unsupported when not.
  what=$1; shift
  unsupported=""
  if [ ! -x $IP ]; then
    unsupported="no iproute2 ip in the initramfs"
  elif ! out=$("$@" 2>&1); then
    unsupported="this kernel cannot make $what"
    echo "# $what: $out"
  fi
}
wait_for() { # CMD...: true within 5 s (a dead namespace's devices go from a kernel work queue)
  i=0
  while ! "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -lt 50 ] || { "$@"; return 1; }
    sleep 0.1
  done
}
# A container NAME whose networks are stdin's lxc.net lines (made once, then reused: only its
# network changes between the groups).
ct_net() { # NAME < lxc.net lines
  [ -d "$P/$1" ] || $N create -q -P "$P" -n "$1" -t busybox >/dev/null || return 1
  sed -i '/^lxc\.net\./d' "$P/$1/config" && cat >> "$P/$1/config"
}
start() { for c in "$@"; do $N start -P "$P" -n "$c" || return 1; done; }
stop() { for c in "$@"; do $N stop -P "$P" -n "$c" -k || return 1; done; }
in_ct() { # NAME CMD...
  c=$1; shift
  $N attach -P "$P" -n "$c" -- "$@" </dev/null
}
ping_ct() { # FROM ADDRESS
  in_ct "$1" ping -c 1 -W 2 "$2"
}
ct_pid() { $N info -P "$P" -n "$1" -p | awk '{print $2}'; }
# The containers' network namespaces while they run, to check after stop that they are gone:
# with a namespace go the devices nook moved into it.
netns_of() { for c in "$@"; do readlink /proc/"$(ct_pid "$c")"/ns/net; done; }
netns_gone() { # "NS...": no process is in any of them
  for p in /proc/[0-9]*; do
    x=$(readlink "$p/ns/net" 2>/dev/null) || continue
    for ns in $1; do [ "$x" != "$ns" ] || { echo "$p is still in $ns"; return 1; }; done
  done
}
# No device under one of nook's temporary names (a child never moved in) on the host.
no_temp_devs() { ! $IP -o link show | grep -E '^[0-9]+: (vlnk|ipnk|mvnk)'; }
# A device with ipvlan or macvlan children has their receive handler, so it cannot join a
# bridge: whether LINK can says whether such children exist, in whatever namespace they are.
uplink_busy() { # LINK
  $IP link set "$1" master nkchk 2>&1 | grep -q busy
}
uplink_free() { # LINK
  $IP link set "$1" master nkchk && $IP link set "$1" nomaster
}
up_pair() { # A B: a veth pair, both ends up
  $IP link add "$1" type veth peer name "$2" && $IP link set "$1" up && $IP link set "$2" up
}
mkdir -p "$P"

echo "# nook-net: container networks on $(uname -r)"
# Probes: each makes (and deletes) what its group needs of the kernel.
probe_base() { $IP link add nkchk type bridge && up_pair nkchk0 nkchk1 && $IP link del nkchk0; }
probe_child() { # TYPE ARGS...: a child device of TYPE on a veth
  up_pair nkprobe nkprobe1 || return 1
  $IP link add link nkprobe name nkprobe.c type "$@"
  r=$?
  $IP link del nkprobe
  return "$r"
}
probe_filtering() {
  $IP link add nkprobe type bridge || return 1
  echo 1 > /sys/class/net/nkprobe/bridge/vlan_filtering
  r=$?
  $IP link del nkprobe
  return "$r"
}
# nkchk: a bridge only for uplink_busy/free
need "veth pairs and bridges" probe_base
base=$unsupported

# ---- vlan: the uplink's far end in a namespace of its own, where the test adds its own VLAN 42
[ -n "$base" ] || need "vlan devices (8021q)" probe_child vlan id 9
if [ -z "$unsupported" ]; then
  unshare -n sleep 600 >/dev/null 2>&1 </dev/null &
  far=$!
fi
far() { nsenter -t "$far" -n "$@"; }
other_netns() { test "$(readlink "/proc/$far/ns/net")" != "$(readlink /proc/self/ns/net)"; }
vlan_setup() {
  wait_for other_netns && $IP link add nkup0 type veth peer name nkfar0 &&
    $IP link set nkfar0 netns "$far" && $IP link set nkup0 up && far "$IP" link set nkfar0 up || return 1
  printf 'lxc.net.0.type = vlan\nlxc.net.0.link = nkup0\nlxc.net.0.vlan.id = 42\nlxc.net.0.flags = up\nlxc.net.0.ipv4.address = 10.42.0.2/24\n' |
    ct_net c1
}
vlan_seen() {
  v=$(nsenter -t "$(ct_pid c1)" -n cat /proc/net/vlan/config) || return 1
  echo "$v"
  echo "$v" | grep -Eq '^eth0 +\| 42 +\| nkup0$'
}
vid42_taken() { # the kernel keeps one device per VID on a link, in whatever namespace it is
  if $IP link add link nkup0 name nkup0.42 type vlan id 42 2>/tmp/vlan.err; then
    $IP link del nkup0.42
    echo "the host made a VID 42 device on nkup0"
    return 1
  fi
  cat /tmp/vlan.err
  grep -q 'exists' /tmp/vlan.err
}
vid42_free() { $IP link add link nkup0 name nkup0.42 type vlan id 42 && $IP link del nkup0.42; }
untagged_fails() { far "$IP" addr add 10.42.0.1/24 dev nkfar0 && ! far ping -c 1 -W 1 10.42.0.2; }
tagged_works() {
  far "$IP" addr del 10.42.0.1/24 dev nkfar0 &&
    far "$IP" link add link nkfar0 name nkfar0.42 type vlan id 42 &&
    far "$IP" addr add 10.42.0.1/24 dev nkfar0.42 && far "$IP" link set nkfar0.42 up &&
    far ping -c 1 -W 2 10.42.0.2 && ping_ct c1 10.42.0.1
}
vlan_stopped() {
  stop c1 && wait_for vid42_free && netns_gone "$ns" && no_temp_devs || return 1
  cat /proc/net/vlan/config
  test "$(wc -l < /proc/net/vlan/config)" = 2
}
t "vlan: an uplink veth nkup0, its far end in a namespace of its own" vlan_setup
t "vlan: start c1 with type vlan, link nkup0, vlan.id 42, 10.42.0.2/24" start c1
ns=$(netns_of c1 2>/dev/null)
t "vlan: in c1's namespace eth0 is VID 42 on nkup0 (/proc/net/vlan/config)" vlan_seen
t "vlan: the host cannot make another VID 42 on nkup0 while c1 runs" vid42_taken
t "vlan: untagged frames from the far end do not reach c1" untagged_fails
t "vlan: the far end's own VLAN 42 device and c1 ping each other" tagged_works
t "vlan: stop leaves nothing: c1's namespace gone, VID 42 free on nkup0, no vlan device on the host" vlan_stopped
[ -n "${far:-}" ] && kill "$far" 2>/dev/null
$IP link del nkup0 2>/dev/null

# ---- ipvlan: two containers on one uplink, in l2 mode, then in l3 mode
[ -n "$base" ] || need "ipvlan devices" probe_child ipvlan mode l2
ipvlan_start() { # MODE
  for i in 1 2; do
    printf 'lxc.net.0.type = ipvlan\nlxc.net.0.link = nkup1\nlxc.net.0.ipvlan.mode = %s\nlxc.net.0.flags = up\nlxc.net.0.ipv4.address = 10.44.0.%s/24\n' "$1" "$i" |
      ct_net "c$i" || return 1
  done
  start c1 c2
}
pair_pings() { # SUBNET: c1 (.1) and c2 (.2) ping each other
  ping_ct c1 "$1.2" && ping_ct c2 "$1.1"
}
ipvlan_mode() { # MODE: l3 has no ARP (IFF_NOARP, 0x80 in flags), l2 has
  f=$(in_ct c1 cat /sys/class/net/eth0/flags) || return 1
  echo "eth0 flags $f"
  if [ "$1" = l3 ]; then [ $((f & 0x80)) != 0 ]; else [ $((f & 0x80)) = 0 ]; fi && uplink_busy nkup1
}
children_stopped() { # LINK
  stop c1 c2 && netns_gone "$ns" && wait_for uplink_free "$1" && no_temp_devs
}
[ -n "$unsupported" ] || up_pair nkup1 nkup1p
for mode in l2 l3; do
  t "ipvlan $mode: start c1 and c2 with type ipvlan, ipvlan.mode $mode, link nkup1" ipvlan_start $mode
  ns=$(netns_of c1 c2 2>/dev/null)
  t "ipvlan $mode: c1 and c2 ping each other" pair_pings 10.44.0
  t "ipvlan $mode: eth0 is in mode $mode (IFF_NOARP $([ $mode = l3 ] && echo set || echo clear)); nkup1 holds the ipvlan port" ipvlan_mode $mode
  t "ipvlan $mode: stop leaves nothing: namespaces gone, nkup1 free again, no ipvlan device on the host" children_stopped nkup1
done
$IP link del nkup1 2>/dev/null

# ---- macvlan: two containers on one uplink in bridge mode
[ -n "$base" ] || need "macvlan devices" probe_child macvlan mode bridge
macvlan_start() {
  for i in 1 2; do
    printf 'lxc.net.0.type = macvlan\nlxc.net.0.link = nkup2\nlxc.net.0.macvlan.mode = bridge\nlxc.net.0.flags = up\nlxc.net.0.ipv4.address = 10.45.0.%s/24\n' "$i" |
      ct_net "c$i" || return 1
  done
  start c1 c2
}
[ -n "$unsupported" ] || up_pair nkup2 nkup2p
t "macvlan: start c1 and c2 with type macvlan, macvlan.mode bridge, link nkup2" macvlan_start
ns=$(netns_of c1 c2 2>/dev/null)
macvlan_pings() { pair_pings 10.45.0 && uplink_busy nkup2; }
t "macvlan: c1 and c2 ping each other; nkup2 holds the macvlan port" macvlan_pings
t "macvlan: stop leaves nothing: namespaces gone, nkup2 free again, no macvlan device on the host" children_stopped nkup2
$IP link del nkup2 2>/dev/null

# ---- veth.vlan.id and veth.vlan.tagged.id on a VLAN-filtering bridge
[ -n "$base" ] || need "VLAN-filtering bridges (CONFIG_BRIDGE_VLAN_FILTERING)" probe_filtering
[ -n "$unsupported" ] || [ -x $BRIDGE ] || unsupported="no iproute2 bridge in the initramfs"
bvlan_start() {
  $IP link add nkbr1 type bridge vlan_filtering 1 && $IP link set nkbr1 up || return 1
  printf 'lxc.net.0.type = veth\nlxc.net.0.link = nkbr1\nlxc.net.0.veth.pair = nkb1\nlxc.net.0.veth.vlan.id = 10\nlxc.net.0.veth.vlan.tagged.id = 30\nlxc.net.0.flags = up\nlxc.net.0.ipv4.address = 10.46.0.1/24\n' |
    ct_net c1 || return 1
  for i in 2 3; do
    printf 'lxc.net.0.type = veth\nlxc.net.0.link = nkbr1\nlxc.net.0.veth.pair = nkb%s\nlxc.net.0.veth.vlan.id = %s\nlxc.net.0.flags = up\nlxc.net.0.ipv4.address = 10.46.0.%s/24\n' "$i" $((i * 10 - 10)) "$i" |
      ct_net "c$i" || return 1
  done
  start c1 c2 c3
}
port_vlans() { # PORT: its VLANs, as bridge's JSON
  $BRIDGE -j vlan show dev "$1"
}
expect_vlans() { # PORT JSON
  v=$(port_vlans "$1")
  [ "$v" = "$2" ] || { echo "$1: $v, expected $2"; return 1; }
}
bvlan_ports() {
  expect_vlans nkb1 '[{"ifname":"nkb1","vlans":[{"vlan":10,"flags":["PVID","Egress Untagged"]},{"vlan":30}]}]' &&
    expect_vlans nkb2 '[{"ifname":"nkb2","vlans":[{"vlan":10,"flags":["PVID","Egress Untagged"]}]}]' &&
    expect_vlans nkb3 '[{"ifname":"nkb3","vlans":[{"vlan":20,"flags":["PVID","Egress Untagged"]}]}]'
}
vlan20_cut_off() {
  ! in_ct c3 ping -c 1 -W 1 10.46.0.1 && ! in_ct c3 ping -c 1 -W 1 10.46.0.2
}
bvlan_stopped() {
  stop c1 c2 c3 && netns_gone "$ns" || return 1
  for p in nkb1 nkb2 nkb3; do
    ! $IP link show "$p" 2>/dev/null || { echo "$p is left"; return 1; }
  done
  # only the bridge's own entry (VLAN 1) is left in its VLAN table
  v=$($BRIDGE -j vlan show)
  echo "bridge vlan show: $v"
  case $v in *'"ifname":"nkb'[0-9]*) return 1 ;; esac
  expect_vlans nkbr1 '[{"ifname":"nkbr1","vlans":[{"vlan":1,"flags":["PVID","Egress Untagged"]}]}]'
}
t "bridge VLANs: start c1 (vlan.id 10, tagged.id 30), c2 (vlan.id 10), c3 (vlan.id 20) on nkbr1 (vlan_filtering 1)" bvlan_start
ns=$(netns_of c1 c2 c3 2>/dev/null)
t "bridge VLANs: the host ends' VLANs: nkb1 10 PVID untagged and 30 tagged, nkb2 10, nkb3 20, none in VLAN 1" bvlan_ports
t "bridge VLANs: c1 and c2 (VLAN 10) ping each other" pair_pings 10.46.0
t "bridge VLANs: c3 (VLAN 20) reaches neither" vlan20_cut_off
t "bridge VLANs: stop leaves nothing: namespaces and host ends gone, only the bridge in its VLAN table" bvlan_stopped
$IP link del nkbr1 2>/dev/null

vm_clean() {
  $N ls -P "$P" --running | grep . && return 1
  ! $IP -o link show | grep -E '^[0-9]+: (nkup|nkfar|nkb|nkprobe|vlnk|ipnk|mvnk|vnk)'
}
unsupported=""
t "nothing is left: no container running, no test or container device on the host" vm_clean
$IP link del nkchk 2>/dev/null
echo "1..$n"
exit $fail
