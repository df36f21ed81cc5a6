#!/usr/bin/env bats
# Runs last (scripts/run passes this directory after the others): after the whole suite,
# the host has nothing of nook's left.

@test "no monitor process is left" {
  run pgrep -fa '^\[nook monitor\]'
  echo "$output"
  [ "$status" -ne 0 ]
}

@test "no container cgroup is left" {
  run find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name 'nook.*'
  echo "$output"
  [ -z "$output" ]
}

@test "no mount of a test container is left" {
  run grep -E '/tmp/nook-test\.|/var/lib/nook/' /proc/self/mountinfo
  echo "$output"
  [ "$status" -ne 0 ]
}

@test "no test lxcpath is left" {
  run sh -c 'ls -d /tmp/nook-test.* 2>/dev/null'
  echo "$output"
  [ -z "$output" ]
}

@test "no veth device is left" {
  run ip -o link show type veth
  [ -z "$output" ]
}

@test "no test network namespace or dnsmasq of nook's is left" {
  run sh -c 'ip netns list | grep nooktest'
  [ -z "$output" ]
  run pgrep -fa 'dnsmasq.*nook-nettest'
  [ "$status" -ne 0 ]
}

@test "no test bridge or link is left" {
  run sh -c "ip -o link | grep -E ': (nkt|nkbench)'"
  [ -z "$output" ]
}
