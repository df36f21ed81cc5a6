#!/usr/bin/env bats
# Debian system containers boot to a login prompt, with sysvinit and with systemd.
# They download from Debian's mirror the first time (then the template's cache serves them):
# run only with NOOK_TEST_DEBIAN=1, as scripts/run test does.
load helpers

# create --unprivileged may append a range of root's to /etc/subuid and /etc/subgid.
setup_file() {
  cp /etc/subuid "$BATS_FILE_TMPDIR/subuid.orig"
  cp /etc/subgid "$BATS_FILE_TMPDIR/subgid.orig"
}
teardown_file() {
  cp "$BATS_FILE_TMPDIR/subuid.orig" /etc/subuid
  cp "$BATS_FILE_TMPDIR/subgid.orig" /etc/subgid
}

setup() {
  [[ ${NOOK_TEST_DEBIAN:-0} == 1 ]] || skip "set NOOK_TEST_DEBIAN=1 to boot Debian containers"
  setup_lxcpath
}
teardown() { [[ -n ${LP:-} ]] && { stop_all; teardown_lxcpath; }; true; }

# Waits until systemd has finished booting; prints its final state.
system_state() {
  local s
  for _ in $(seq 60); do
    s=$(nook attach -P "$LP" -n "$1" -- systemctl is-system-running </dev/null 2>/dev/null || true)
    [[ $s == starting || $s == initializing || -z $s ]] || break
    sleep 0.5
  done
  echo "$s"
}

@test "debian (systemd): boots with no failed unit, login on tty1, stops cleanly" {
  nook create -q -P "$LP" -n dsd -t debian
  nook start -P "$LP" -n dsd
  run system_state dsd
  echo "state: $output"
  nook attach -P "$LP" -n dsd -- systemctl --failed --no-legend </dev/null || true
  [ "$output" = "running" ]
  run python3 "$BATS_TEST_DIRNAME/console.py" "login:" -- "$NOOK" console -P "$LP" -n dsd -t 1
  [ "$status" -eq 0 ]
  run nook stop -P "$LP" -n dsd -t 30
  [ "$status" -eq 0 ]
  [ -z "$(leftovers dsd)" ]
}

@test "debian --unprivileged (systemd): boots in a user namespace with no failed unit, login on tty1" {
  nook create -q -P "$LP" -n dun -t debian --unprivileged
  chmod 755 "$LP"
  local b
  b=$(awk '$1 == "lxc.idmap" && $3 == "u" && $4 == 0 { print $5 }' "$LP/dun/config")
  [ -n "$b" ]
  nook start -P "$LP" -n dun
  run system_state dun
  echo "state: $output"
  nook attach -P "$LP" -n dun -- systemctl --failed --no-legend </dev/null || true
  [ "$output" = "running" ]
  run nook attach -P "$LP" -n dun -- cat /proc/1/uid_map </dev/null
  [ "$(echo $output)" = "0 $b 65536" ]
  # setuid binaries kept their bit through the shift: su works inside.
  run nook attach -P "$LP" -n dun -- su -s /bin/sh nobody -c 'id -u' </dev/null
  [ "$output" = 65534 ]
  run python3 "$BATS_TEST_DIRNAME/console.py" "login:" -- "$NOOK" console -P "$LP" -n dun -t 1
  [ "$status" -eq 0 ]
  run nook stop -P "$LP" -n dun -t 30
  [ "$status" -eq 0 ]
  [ -z "$(leftovers dun)" ]
  nook destroy -q -P "$LP" dun
}

@test "debian (sysvinit): boots to runlevel 2, login on tty1 and the console" {
  nook create -q -P "$LP" -n dsv -t debian -- --init sysvinit
  nook start -P "$LP" -n dsv
  for _ in $(seq 40); do
    lvl=$(nook attach -P "$LP" -n dsv -- runlevel </dev/null 2>/dev/null || true)
    [[ $lvl == "N 2" ]] && break
    sleep 0.25
  done
  [ "$lvl" = "N 2" ]
  run python3 "$BATS_TEST_DIRNAME/console.py" "login:" -- "$NOOK" console -P "$LP" -n dsv -t 1
  [ "$status" -eq 0 ]
  run python3 "$BATS_TEST_DIRNAME/console.py" "login:" -- "$NOOK" console -P "$LP" -n dsv -t 0
  [ "$status" -eq 0 ]
  run nook stop -P "$LP" -n dsv -t 30
  [ "$status" -eq 0 ]
  [ -z "$(leftovers dsv)" ]
}

@test "debian: reboot inside the container brings it back" {
  nook create -q -P "$LP" -n drb -t debian -- --init sysvinit
  nook start -P "$LP" -n drb
  pid1=$(nook info -P "$LP" -n drb -p | awk '{print $2}')
  sleep 2
  nook attach -P "$LP" -n drb -- reboot </dev/null || true
  for _ in $(seq 60); do
    pid2=$(nook info -P "$LP" -n drb -p | awk '{print $2}')
    [[ -n $pid2 && $pid2 != "$pid1" ]] && break
    sleep 0.25
  done
  [ "$pid2" != "$pid1" ]
  [[ $(nook info -P "$LP" -n drb -s) == *RUNNING ]]
}

@test "LXC's own lxc-debian template runs unmodified and its container boots under nook" {
  [ -x /usr/share/lxc/templates/lxc-debian ] || skip "LXC's templates are not installed"
  nook create -q -P "$LP" -n lxd -t /usr/share/lxc/templates/lxc-debian -- -r bookworm
  grep -q "lxc.include = /usr/share/lxc/config/debian.common.conf" "$LP/lxd/config"
  run nook start -P "$LP" -n lxd
  [ "$status" -eq 0 ]
  run system_state lxd
  echo "state: $output"
  # LXC's template configures eth0 by DHCP; this container has no network, so
  # networking.service may fail: nothing else may.
  failed=$(nook attach -P "$LP" -n lxd -- systemctl --failed --no-legend --plain </dev/null | awk '{print $1}' | grep -v '^networking.service$' || true)
  [ -z "$failed" ]
  run nook stop -P "$LP" -n lxd -t 30
  [ "$status" -eq 0 ]
  [ -z "$(leftovers lxd)" ]
}
