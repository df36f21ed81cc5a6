#!/usr/bin/env bats
# The command line: help, exit codes, flags, multi-call names.
load helpers

setup() { setup_lxcpath; }
teardown() { teardown_lxcpath; }

@test "nook --help lists the commands and exits 0" {
  run nook --help
  [ "$status" -eq 0 ]
  [[ $output == *create* && $output == *destroy* && $output == *"config"* ]]
}

@test "every command has --help" {
  for c in create destroy ls info config update-config; do
    run nook $c --help
    [ "$status" -eq 0 ]
    [[ $output == *"Usage: nook $c"* ]]
  done
}

@test "unknown command is a usage error (2)" {
  run nook frobnicate
  [ "$status" -eq 2 ]
  [[ $output == *"unknown command 'frobnicate'"* ]]
}

@test "unknown flag is a usage error (2)" {
  run nook create --bogus -n x
  [ "$status" -eq 2 ]
}

@test "missing name is a usage error naming -n" {
  run nook create -P "$LP" -t busybox
  [ "$status" -eq 2 ]
  [[ $output == *"-n NAME"* ]]
}

@test "bad --logpriority is a usage error naming the flag" {
  run nook ls -P "$LP" -l LOUD
  [ "$status" -eq 2 ]
  [[ $output == *"--logpriority"* ]]
}

@test "--format json output is valid JSON" {
  nook create -q -P "$LP" -n j1 -t busybox
  run nook ls -P "$LP" --format json
  [ "$status" -eq 0 ]
  echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[0]["name"]=="j1" and d[0]["state"]=="STOPPED"'
  run nook info -P "$LP" -n j1 --format json
  echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["state"]=="STOPPED"'
}

@test "bad --format is a usage error" {
  run nook ls -P "$LP" --format yaml
  [ "$status" -eq 2 ]
  [[ $output == *"--format"* ]]
}

@test "--logfile receives the log" {
  nook create -P "$LP" -n lg -t busybox -o "$LP/log" -l INFO >/dev/null
  grep -q "running template" "$LP/log"
}

@test "lxc-* names use LXC's lxcpath default and flags" {
  lc=$(lxc_link lxc-create)
  ll=$(lxc_link lxc-ls)
  ld=$(lxc_link lxc-destroy)
  li=$(lxc_link lxc-info)
  "$lc" -P "$LP" -n m1 -t busybox >/dev/null
  [ -f "$LP/m1/config" ]
  run "$ll" -P "$LP" -1
  [ "$output" = "m1" ]
  run "$li" -P "$LP" -n m1 -s
  [[ $output == "State:"*STOPPED ]]
  run "$ld" -P "$LP" -n m1
  [ "$status" -eq 0 ]
  [ ! -e "$LP/m1" ]
}

@test "lxc-create -t busybox picks LXC's own lxc-busybox template" {
  [ -x /usr/share/lxc/templates/lxc-busybox ] || skip "LXC's templates are not installed"
  lc=$(lxc_link lxc-create)
  "$lc" -P "$LP" -n lb -t busybox >/dev/null
  grep -q "lxc-busybox" "$LP/lb/config"
}

@test "lxc-config answers LXC's system keys" {
  lcf=$(lxc_link lxc-config)
  run "$lcf" lxc.lxcpath
  [ "$output" = "/var/lib/lxc" ]
  run "$lcf" -l
  [[ $output == *lxc.default_config* ]]
}

@test "lxc-update-config rewrites legacy keys" {
  luc=$(lxc_link lxc-update-config)
  printf 'lxc.utsname = old\n' > "$LP/c"
  run "$luc" -c "$LP/c"
  [ "$status" -eq 0 ]
  grep -q '^lxc.uts.name = old' "$LP/c"
}
