#!/usr/bin/env bats
# Unprivileged containers: lxc.idmap puts the container in a user namespace whose root is an
# unused host uid. Real busybox containers, checked from inside and from the host.
load helpers
bats_require_minimum_version 1.5.0

BASE=400000
RU=nooktest-rootless

setup_file() {
  # nook, its init and monitor and the templates where a normal user can run them.
  UBIN=$(mktemp -d /tmp/nook-ubin.XXXXXX)
  echo "$UBIN" > "$BATS_FILE_TMPDIR/ubin"
  local b
  b=$(dirname "$(readlink -f "$NOOK")")/../..
  cp "$NOOK" "$UBIN/nook"
  cp "$b/src/init/nook-init" "$b/src/monitor/small/nook-monitor" "$UBIN/"
  cp -r "$BATS_TEST_DIRNAME/../../templates" "$UBIN/templates"
  chmod -R a+rX "$UBIN"
  chmod 755 "$UBIN"
  cp /etc/subuid "$BATS_FILE_TMPDIR/subuid.orig"
  cp /etc/subgid "$BATS_FILE_TMPDIR/subgid.orig"
}

teardown_file() {
  if id "$RU" >/dev/null 2>&1; then
    pkill -KILL -u "$RU" 2>/dev/null || true
    rm -rf --one-file-system "/tmp/nook-$(id -u "$RU")"
    userdel -r "$RU" >/dev/null 2>&1 || true
  fi
  cp "$BATS_FILE_TMPDIR/subuid.orig" /etc/subuid
  cp "$BATS_FILE_TMPDIR/subgid.orig" /etc/subgid
  rm -rf "$(cat "$BATS_FILE_TMPDIR/ubin")"
}

setup() {
  setup_lxcpath
  # The container's root (host uid $BASE) must be able to reach its rootfs.
  chmod 755 "$LP"
}

teardown() {
  stop_all
  ip link del nkt-ubr0 2>/dev/null || true
  if [[ -n ${UMOUNT:-} ]]; then
    umount "$UMOUNT" && rmdir "$UMOUNT"
  fi
  teardown_lxcpath
}

# An unprivileged busybox container NAME mapped at host id $2 (default $BASE): the tree is
# handed to the mapped root, as create --unprivileged does; extra config lines from stdin.
make_unpriv() {
  local name=$1 base=${2:-$BASE}
  make_busybox "$name"
  chown -R "$base:$base" "$LP/$name"
  chown root:root "$LP/$name/config"
  printf 'lxc.idmap = u 0 %s 65536\nlxc.idmap = g 0 %s 65536\n' "$base" "$base" >> "$LP/$name/config"
}

in_ct() {
  local name=$1
  shift
  nook attach -P "$LP" -n "$name" -- "$@" < /dev/null
}

@test "an unprivileged container's init runs as the mapped uid on the host and as root inside" {
  make_unpriv u1
  nook start -P "$LP" -n u1
  local pid
  pid=$(nook info -P "$LP" -n u1 -p | awk '{print $2}')
  # The host's view: uid and gid of init are the mapped ones.
  awk '/^Uid:/ {print $2}' "/proc/$pid/status" | grep -qx "$BASE"
  awk '/^Gid:/ {print $2}' "/proc/$pid/status" | grep -qx "$BASE"
  # Inside: root, and the map.
  run in_ct u1 cat /proc/self/uid_map
  [ "$(echo $output)" = "0 $BASE 65536" ]
  run in_ct u1 cat /proc/self/gid_map
  [ "$(echo $output)" = "0 $BASE 65536" ]
  run in_ct u1 id -u
  [ "$output" = 0 ]
  # init too, not only the attached process.
  run in_ct u1 cat /proc/1/uid_map
  [ "$(echo $output)" = "0 $BASE 65536" ]
}

@test "files made in an unprivileged container belong to the mapped ids on the host" {
  make_unpriv u2
  nook start -P "$LP" -n u2
  in_ct u2 sh -c 'echo data > /root/made-by-root; touch /tmp/by-1000; chown 1000:1000 /tmp/by-1000'
  [ "$(stat -c %u:%g "$LP/u2/rootfs/root/made-by-root")" = "$BASE:$BASE" ]
  [ "$(stat -c %u:%g "$LP/u2/rootfs/tmp/by-1000")" = "$((BASE + 1000)):$((BASE + 1000))" ]
}

@test "root in an unprivileged container cannot read or write a host file only host root may" {
  local d
  d=$(mktemp -d /tmp/nook-test-secret.XXXXXX)
  chmod 755 "$d"
  echo host-secret > "$d/secret"
  chmod 600 "$d/secret"
  echo shared > "$d/public"
  chmod 644 "$d/public"
  make_unpriv u3 <<C
lxc.mount.entry = $d mnt none bind 0 0
C
  nook start -P "$LP" -n u3
  run in_ct u3 cat /mnt/public
  [ "$output" = shared ]
  run in_ct u3 cat /mnt/secret
  [ "$status" -ne 0 ]
  [[ $output != *host-secret* ]]
  run in_ct u3 sh -c 'echo owned > /mnt/public'
  [ "$status" -ne 0 ]
  run in_ct u3 chown 0 /mnt/secret
  [ "$status" -ne 0 ]
  [ "$(cat "$d/public")" = shared ]
  [ "$(stat -c %u "$d/secret")" = 0 ]
  nook stop -P "$LP" -n u3 -k
  rm -rf "$d"
}

@test "proc, sysfs, cgroup, devpts, mqueue and tmpfs are mounted inside the user namespace" {
  make_unpriv u4
  nook start -P "$LP" -n u4
  run in_ct u4 cat /proc/self/mounts
  echo "$output"
  local m
  for m in " /proc proc " " /sys sysfs " " /dev tmpfs " " /dev/pts devpts " " /dev/shm tmpfs " " /dev/mqueue mqueue "; do
    [[ $output == *"$m"* ]]
  done
  [[ $output == *" /sys/fs/cgroup/"*" cgroup"* ]]
  # The standard nodes work (bound from the host: mknod is not allowed in a user namespace).
  run in_ct u4 sh -c 'echo x > /dev/null && head -c 4 /dev/zero | wc -c'
  [ "$output" = 4 ]
  # And a tty of the container's own devpts is the console.
  run in_ct u4 sh -c 'ls -l /dev/console'
  [[ $output == *"136,"* ]]
}

@test "a read-only bind of a nosuid,nodev host mount keeps its flags in a user namespace" {
  # A host mount that is nosuid,nodev,noexec: remounting its bind read-only must keep those
  # locked flags (the kernel refuses to drop them in a user namespace: "remount lost nosuid").
  local d
  d=$(mktemp -d /tmp/nook-test-shm.XXXXXX)
  mount -t tmpfs -o nosuid,nodev,noexec,mode=755 nook-test "$d"
  UMOUNT=$d
  echo in-shm > "$d/f"
  chmod 644 "$d/f"
  make_unpriv u5 <<C
lxc.mount.entry = $d mnt none bind,ro 0 0
C
  run nook start -P "$LP" -n u5
  echo "$output"
  [ "$status" -eq 0 ]
  run in_ct u5 cat /mnt/f
  [ "$output" = in-shm ]
  run in_ct u5 grep " /mnt " /proc/self/mounts
  echo "$output"
  [[ $output == *"ro,"* && $output == *nosuid* && $output == *nodev* && $output == *noexec* ]]
  run in_ct u5 sh -c 'echo x > /mnt/f'
  [ "$status" -ne 0 ]
}

@test "attach -u, execute and console work in an unprivileged container" {
  make_unpriv u6
  nook start -P "$LP" -n u6
  run nook attach -P "$LP" -n u6 -u 1000 -g 1000 -- id -u < /dev/null
  [ "$output" = 1000 ]
  run python3 "$BATS_TEST_DIRNAME/console.py" "#" --send $'echo hello-$((6*7))\n' --expect2 "hello-42" \
    -- "$NOOK" console -P "$LP" -n u6 -t 0
  echo "$output"
  [ "$status" -eq 0 ]
  nook stop -P "$LP" -n u6 -k
  run nook execute -P "$LP" -n u6 -- sh -c 'cat /proc/self/uid_map; exit 7'
  echo "$output"
  [ "$status" -eq 7 ]
  [ "$(echo $output)" = "0 $BASE 65536" ]
}

@test "the cgroup is the unprivileged root's to organise, its limits are not" {
  local key=lxc.cgroup2.pids.max f=/sys/fs/cgroup/pids.max
  if [[ -d /sys/fs/cgroup/pids ]]; then
    key=lxc.cgroup.pids.max
    f=/sys/fs/cgroup/pids/pids.max
  fi
  echo "$key = 50" | make_unpriv u7
  nook start -P "$LP" -n u7
  # A sub-cgroup, and moving into it (what systemd inside does).
  run in_ct u7 sh -c "d=\$(dirname $f); mkdir \$d/sub && echo \$\$ > \$d/sub/cgroup.procs && echo moved"
  echo "$output"
  [ "$output" = moved ]
  in_ct u7 sh -c "echo max > $f" || true
  run nook cgroup -P "$LP" -n u7 pids.max
  [ "$output" = 50 ]
  nook stop -P "$LP" -n u7 -k
  [ -z "$(leftovers u7)" ]
}

@test "two unprivileged containers on a bridge ping each other" {
  ip link add nkt-ubr0 type bridge
  ip link set nkt-ubr0 up
  make_unpriv u8 <<C
lxc.net.0.type = veth
lxc.net.0.link = nkt-ubr0
lxc.net.0.flags = up
lxc.net.0.ipv4.address = 10.213.7.2/24
C
  make_unpriv u9 $((BASE + 65536)) <<C
lxc.net.0.type = veth
lxc.net.0.link = nkt-ubr0
lxc.net.0.flags = up
lxc.net.0.ipv4.address = 10.213.7.3/24
C
  nook start -P "$LP" -n u8
  nook start -P "$LP" -n u9
  run in_ct u8 ping -c 1 -W 2 10.213.7.3
  echo "$output"
  [ "$status" -eq 0 ]
  run in_ct u9 ping -c 1 -W 2 10.213.7.2
  [ "$status" -eq 0 ]
  nook stop -P "$LP" -n u8 -k
  nook stop -P "$LP" -n u9 -k
  [ -z "$(ip -o link show master nkt-ubr0)" ]
}

@test "a rootfs the mapped root cannot reach is refused in one line naming the directory" {
  make_unpriv u10
  chmod 700 "$LP"
  run nook start -P "$LP" -n u10
  echo "$output"
  [ "$status" -ne 0 ]
  one_line
  [[ $output == *"cannot search $LP "* && $output == *"chmod o+x"* ]]
  [ -z "$(leftovers u10)" ]
  run nook info -P "$LP" -n u10 -s
  [[ $output == *STOPPED* ]]
}

@test "a user namespace without maps, or maps without the container's root, is refused" {
  make_busybox u11 <<C
lxc.namespace.clone = mount pid uts ipc net user
C
  run nook start -P "$LP" -n u11
  echo "$output"
  [ "$status" -ne 0 ]
  [[ $output == *"lxc.idmap"* ]]
  make_busybox u12
  printf 'lxc.idmap = u 1 %s 100\nlxc.idmap = g 1 %s 100\n' "$BASE" "$BASE" >> "$LP/u12/config"
  run nook start -P "$LP" -n u12
  echo "$output"
  [ "$status" -ne 0 ]
  [[ $output == *"lxc.idmap"*"root"* ]]
  [ -z "$(leftovers u12)" ]
}

@test "create --unprivileged, then start: the container's root is the range create picked" {
  nook create -q -P "$LP" -n cu -t busybox --unprivileged
  local b
  b=$(awk '$1 == "lxc.idmap" && $3 == "u" && $4 == 0 { print $5 }' "$LP/cu/config")
  [ -n "$b" ]
  nook start -P "$LP" -n cu
  run in_ct cu cat /proc/self/uid_map
  [ "$(echo $output)" = "0 $b 65536" ]
  in_ct cu touch /root/made
  [ "$(stat -c %u "$LP/cu/rootfs/root/made")" = "$b" ]
  nook stop -P "$LP" -n cu -k
  nook destroy -P "$LP" cu
  [ ! -e "$LP/cu" ]
}

# --- rootless ---------------------------------------------------------------------------------

rootless_user() {
  if ! id "$RU" >/dev/null 2>&1; then
    useradd -m "$RU"
    chmod 755 "$(getent passwd "$RU" | cut -d: -f6)"
  fi
  grep -q "^$RU:" /etc/subuid || usermod --add-subuids 900000-965535 "$RU"
  grep -q "^$RU:" /etc/subgid || usermod --add-subgids 900000-965535 "$RU"
}

as_ru() {
  local u
  u=$(cat "$BATS_FILE_TMPDIR/ubin")
  runuser -u "$RU" -- env -C / -u XDG_RUNTIME_DIR -u XDG_DATA_HOME -u XDG_CONFIG_HOME \
    NOOK_DEFAULT_CONF= NOOK_TEMPLATE_DIR="$u/templates" NOOK_INIT="$u/nook-init" \
    NOOK_MONITOR="$u/nook-monitor" "$u/nook" "$@"
}

@test "rootless: a normal user starts, attaches to, executes in and stops a busybox container" {
  rootless_user
  local home sub
  home=$(getent passwd "$RU" | cut -d: -f6)
  sub=$(awk -F: -v u="$RU" '$1 == u { print $2; exit }' /etc/subuid)
  as_ru create -n rl -t busybox
  run as_ru start -n rl
  echo "$output"
  [ "$status" -eq 0 ]
  # Init runs as the user's subordinate id, under a monitor of the user's.
  local pid
  pid=$(as_ru info -n rl -p | awk '{print $2}')
  awk '/^Uid:/ {print $2}' "/proc/$pid/status" | grep -qx "$sub"
  pgrep -u "$RU" -f "nook monitor\] $home/.local/share/nook rl" >/dev/null
  run as_ru attach -n rl -- sh -c 'id -u; cat /proc/self/uid_map' < /dev/null
  echo "$output"
  [[ $(echo $output) == "0 0 $sub 65536" ]]
  as_ru attach -n rl -- touch /root/by-rootless < /dev/null
  [ "$(stat -c %u "$home/.local/share/nook/rl/rootfs/root/by-rootless")" = "$sub" ]
  run as_ru stop -n rl
  [ "$status" -eq 0 ]
  ! pgrep -u "$RU" -f "nook monitor" >/dev/null
  run as_ru execute -n rl -- sh -c 'cat /proc/self/uid_map; exit 5' < /dev/null
  [ "$status" -eq 5 ]
  [ "$(echo $output)" = "0 $sub 65536" ]
  as_ru destroy -n rl
  [ ! -e "$home/.local/share/nook/rl" ]
}

@test "rootless: a host network device or a cgroup limit is refused in one line; empty works" {
  rootless_user
  as_ru create -n rn -t busybox
  run as_ru start -n rn -s lxc.net.0.type=veth -s lxc.net.0.link=br0
  echo "$output"
  [ "$status" -ne 0 ]
  one_line
  [[ $output == *"lxc.net.0.type: a rootless container can only have type empty"* ]]
  run as_ru start -n rn -s lxc.cgroup2.pids.max=10
  [ "$status" -ne 0 ]
  one_line
  [[ $output == *"lxc.cgroup"*"rootless"* ]]
  run as_ru start -n rn -s lxc.net.0.type=empty
  [ "$status" -eq 0 ]
  run as_ru attach -n rn -- ip -o link < /dev/null
  [[ $output == *"lo:"* ]]
  run as_ru freeze -n rn
  [ "$status" -ne 0 ]
  [[ $output == *"a rootless container has no cgroup to freeze"* ]]
  as_ru stop -n rn -k
  as_ru destroy -n rn
}
