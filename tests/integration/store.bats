#!/usr/bin/env bats
# The container store: create, list, show, edit, destroy; failures leave nothing behind.
load helpers

setup() { setup_lxcpath; }
teardown() { teardown_lxcpath; }

@test "create -t busybox makes config and a working rootfs" {
  run nook create -P "$LP" -n web -t busybox
  [ "$status" -eq 0 ]
  [ -f "$LP/web/config" ]
  [ -x "$LP/web/rootfs/bin/busybox" ]
  grep -q "^lxc.rootfs.path = dir:$LP/web/rootfs" "$LP/web/config"
  grep -q "^lxc.uts.name = web" "$LP/web/config"
  run chroot "$LP/web/rootfs" /bin/sh -c 'echo inside'
  [ "$output" = "inside" ]
}

@test "ls shows containers; --fancy shows the table" {
  nook create -q -P "$LP" -n a1 -t busybox
  nook create -q -P "$LP" -n b2 -t busybox
  run nook ls -P "$LP" -1
  [ "$output" = "$(printf 'a1\nb2')" ]
  run nook ls -P "$LP" --fancy
  [[ ${lines[0]} == NAME*STATE*AUTOSTART*GROUPS*IPV4*IPV6 ]]
  [[ ${lines[1]} == a1*STOPPED*0* ]]
}

@test "ls --fancy shows autostart and groups from the config" {
  printf 'lxc.start.auto = 1\nlxc.group = web\nlxc.group = prod\n' > "$LP/extra.conf"
  nook create -q -P "$LP" -n g1 -t busybox -f "$LP/extra.conf"
  run nook ls -P "$LP" --fancy
  [[ ${lines[1]} == g1*STOPPED*1*web,prod* ]]
}

@test "ls of an empty or missing lxcpath prints nothing" {
  run nook ls -P "$LP/none"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "info shows the state" {
  nook create -q -P "$LP" -n i1 -t busybox
  run nook info -P "$LP" -n i1
  [[ ${lines[0]} == "Name:"*i1 ]]
  [[ ${lines[1]} == "State:"*STOPPED ]]
  run nook info -P "$LP" i1 -s
  [[ $output == "State:"*STOPPED ]]
}

@test "info of a missing container fails in one line" {
  run nook info -P "$LP" -n ghost
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"ghost doesn't exist"* ]]
}

@test "create of an existing name is refused and leaves it intact" {
  nook create -q -P "$LP" -n dup -t busybox
  sum=$(md5sum "$LP/dup/config")
  run nook create -P "$LP" -n dup -t busybox
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"already exists"* ]]
  [ "$(md5sum "$LP/dup/config")" = "$sum" ]
}

@test "bad names are refused before anything is made" {
  for n in '../x' 'a/b' '.hidden' '-dash' "$(printf 'x%.0s' {1..65})"; do
    run nook create -P "$LP" -n "$n" -t busybox
    [ "$status" -eq 1 ]
    one_line
  done
  [ -z "$(ls -A "$LP")" ]
}

@test "unknown template: one line, nothing left" {
  run nook create -P "$LP" -n t1 -t no-such-template
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"template 'no-such-template' not found"* ]]
  [ ! -e "$LP/t1" ]
}

@test "a failing template leaves nothing behind" {
  cat > "$LP/bad-template" <<'T'
#!/bin/sh
for a; do case $a in --rootfs=*) r=${a#--rootfs=};; esac; done
mkdir -p "$r/etc" && echo half > "$r/etc/made"
echo "bad-template: disk on fire" >&2
exit 3
T
  chmod +x "$LP/bad-template"
  run nook create -P "$LP" -n f1 -t "$LP/bad-template"
  [ "$status" -eq 1 ]
  [[ $output == *"disk on fire"* ]]
  [[ ${lines[-1]} == *"failed with exit status 3"* ]]
  [ ! -e "$LP/f1" ]
}

@test "a template that writes a bad config key fails the create and leaves nothing" {
  cat > "$LP/badkey-template" <<'T'
#!/bin/sh
for a; do case $a in --path=*) p=${a#--path=};; esac; done
echo "lxc.no.such.key = 1" >> "$p/config"
T
  chmod +x "$LP/badkey-template"
  run nook create -P "$LP" -n f2 -t "$LP/badkey-template"
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"config:"*"lxc.no.such.key"* ]]
  [ ! -e "$LP/f2" ]
}

@test "a bad -f config is reported with file:line:key before anything is made" {
  printf 'lxc.uts.name = ok\nlxc.net.0.ipv4.address = 10.0.3.300/24\n' > "$LP/bad.conf"
  run nook create -P "$LP" -n f3 -t busybox -f "$LP/bad.conf"
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"$LP/bad.conf:2: lxc.net.0.ipv4.address"* ]]
  [ ! -e "$LP/f3" ]
}

@test "Ctrl+C during the template leaves nothing behind" {
  cat > "$LP/slow-template" <<'T'
#!/bin/sh
for a; do case $a in --rootfs=*) r=${a#--rootfs=};; esac; done
mkdir -p "$r/etc"; touch "$LP_MARK"; sleep 30
T
  chmod +x "$LP/slow-template"
  # Its own session, so the interrupt reaches nook and the template as a terminal's Ctrl+C would.
  LP_MARK=$LP/started setsid "$NOOK" create -P "$LP" -n f4 -t "$LP/slow-template" &
  pid=$!
  for _ in $(seq 50); do [ -e "$LP/started" ] && break; sleep 0.1; done
  [ -e "$LP/started" ]
  kill -INT -- -"$pid"
  s=0; wait "$pid" || s=$?
  [ "$s" -eq 1 ]
  [ ! -e "$LP/f4" ]
}

@test "-f config and default.conf are merged into the new config" {
  printf 'lxc.environment = FOO=bar\n' > "$LP/extra.conf"
  nook create -q -P "$LP" -n m1 -t busybox -f "$LP/extra.conf"
  run nook config get -P "$LP" -n m1 lxc.environment
  [ "$output" = "FOO=bar" ]
}

@test "--dir puts the rootfs elsewhere and destroy removes it" {
  nook create -q -P "$LP" -n d1 -t busybox --dir "$LP/elsewhere"
  [ -x "$LP/elsewhere/bin/busybox" ]
  [ ! -e "$LP/d1/rootfs" ]
  nook destroy -P "$LP" -n d1
  [ ! -e "$LP/elsewhere" ]
  [ ! -e "$LP/d1" ]
}

@test "template arguments after -- reach the template" {
  cat > "$LP/args-template" <<'T'
#!/bin/sh
for a; do case $a in --path=*) p=${a#--path=};; esac; done
echo "# args: $*" >> "$p/config"
T
  chmod +x "$LP/args-template"
  nook create -q -P "$LP" -n a1 -t "$LP/args-template" -- --release sid -x
  grep -q -- "--name=a1 --rootfs=$LP/a1/rootfs --release sid -x" "$LP/a1/config"
}

@test "config show, get, set, unset keep the file's comments and order" {
  nook create -q -P "$LP" -n c1 -t busybox
  printf '# my comment\nlxc.environment = A=1\n' >> "$LP/c1/config"
  run nook config show -P "$LP" -n c1
  [[ $output == *"lxc.uts.name = c1"* ]]
  nook config set -P "$LP" -n c1 lxc.uts.name renamed
  run nook config get -P "$LP" -n c1 lxc.uts.name
  [ "$output" = "renamed" ]
  grep -q '^# my comment' "$LP/c1/config"
  nook config unset -P "$LP" -n c1 lxc.environment
  ! grep -q 'lxc.environment' "$LP/c1/config"
  grep -q '^# my comment' "$LP/c1/config"
}

@test "config set with a bad value is refused and the file is unchanged" {
  nook create -q -P "$LP" -n c2 -t busybox
  sum=$(md5sum "$LP/c2/config")
  run nook config set -P "$LP" -n c2 lxc.net.0.hwaddr zz:zz
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"lxc.net.0.hwaddr"* ]]
  run nook config set -P "$LP" -n c2 lxc.bogus 1
  [ "$status" -eq 1 ]
  [[ $output == *"lxc.bogus"* ]]
  [ "$(md5sum "$LP/c2/config")" = "$sum" ]
}

@test "config check lists keys not yet applied" {
  nook create -q -P "$LP" -n c3 -t busybox
  nook config set -P "$LP" -n c3 lxc.apparmor.raw "deny /x rw,"
  run nook config check -P "$LP" -n c3
  [ "$status" -eq 0 ]
  [[ $output == *"lxc.apparmor.raw: not yet applied"* ]]
}

@test "config check -c FILE reports a broken line with file, line and key" {
  printf 'lxc.uts.name = x\nthis line has no equals sign\n' > "$LP/broken.conf"
  run nook config check -c "$LP/broken.conf"
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"$LP/broken.conf:2"* ]]
}

@test "the well-known guide's legacy config parses, with one warning per legacy key" {
  [ -f /usr/share/lxc/config/debian.common.conf ] || skip "LXC's config files are not installed"
  cat > "$LP/guide.conf" <<'C'
lxc.network.type = empty
lxc.rootfs = /var/lib/lxc/DebianTestContainer/rootfs
lxc.include = /usr/share/lxc/config/debian.common.conf
lxc.mount = /var/lib/lxc/DebianTestContainer/fstab
lxc.utsname = DebianTestContainer
lxc.arch = amd64
lxc.autodev = 1
lxc.kmsg = 0
C
  run nook config show -c "$LP/guide.conf"
  [ "$status" -eq 0 ]
  [[ $output == *"lxc.uts.name = DebianTestContainer"* ]]
  [[ $output == *"lxc.net.0.type = empty"* ]]
  [[ $output == *"lxc.mount.fstab = /var/lib/lxc/DebianTestContainer/fstab"* ]]
  [[ $output == *"guide.conf:5"*"lxc.utsname"*"lxc.uts.name"* ]]
}

@test "update-config rewrites a legacy file keeping comments, with a backup" {
  printf '# net\nlxc.network.type = veth\nlxc.network.link = br0\nlxc.network.type = empty\nlxc.utsname = u\n' > "$LP/old.conf"
  run nook update-config -c "$LP/old.conf"
  [ "$status" -eq 0 ]
  [ -f "$LP/old.conf.backup" ]
  grep -q '^# net' "$LP/old.conf"
  grep -q '^lxc.net.0.type = veth' "$LP/old.conf"
  grep -q '^lxc.net.0.link = br0' "$LP/old.conf"
  grep -q '^lxc.net.1.type = empty' "$LP/old.conf"
  grep -q '^lxc.uts.name = u' "$LP/old.conf"
}

@test "destroy removes everything; destroy of a missing one fails in one line" {
  nook create -q -P "$LP" -n x1 -t busybox
  run nook destroy -P "$LP" -n x1
  [ "$status" -eq 0 ]
  [ ! -e "$LP/x1" ]
  run nook destroy -P "$LP" -n x1
  [ "$status" -eq 1 ]
  one_line
}

@test "destroy never follows a mount inside the rootfs" {
  nook create -q -P "$LP" -n x2 -t busybox
  mkdir -p "$LP/precious" "$LP/x2/rootfs/mnt/host"
  touch "$LP/precious/keep"
  mount --bind "$LP/precious" "$LP/x2/rootfs/mnt/host"
  run nook destroy -P "$LP" -n x2
  umount "$LP/x2/rootfs/mnt/host"
  [ "$status" -eq 1 ]
  [[ $output == *"mount point"* ]]
  [ -f "$LP/precious/keep" ]
  [ -f "$LP/x2/config" ]
}

@test "two creates of one name at once: exactly one wins" {
  nook create -q -P "$LP" -n race -t busybox & p1=$!
  nook create -q -P "$LP" -n race -t busybox & p2=$!
  s1=0; s2=0
  wait $p1 || s1=$?
  wait $p2 || s2=$?
  [ $((s1 == 0 ? 1 : 0)) -ne $((s2 == 0 ? 1 : 0)) ]
  [ -x "$LP/race/rootfs/bin/busybox" ]
}

@test "LXC's own lxc-busybox template runs unmodified" {
  [ -x /usr/share/lxc/templates/lxc-busybox ] || skip "LXC's templates are not installed"
  run nook create -P "$LP" -n lxcbb -t /usr/share/lxc/templates/lxc-busybox
  [ "$status" -eq 0 ]
  [ -x "$LP/lxcbb/rootfs/bin/busybox" ]
  run nook config check -P "$LP" -n lxcbb
  [ "$status" -eq 0 ]
  nook destroy -P "$LP" -n lxcbb
  [ ! -e "$LP/lxcbb" ]
}

@test "config check, start and execute refuse a config whose keys contradict each other, in one line" {
  nook create -q -P "$LP" -n cv -t busybox
  printf 'lxc.cap.drop = sys_module\nlxc.cap.keep = chown\n' >> "$LP/cv/config"
  run nook config check -P "$LP" -n cv
  [ "$status" -ne 0 ]
  one_line
  [[ $output == *"lxc.cap.drop and lxc.cap.keep exclude each other"* ]]
  run nook start -P "$LP" -n cv
  [ "$status" -ne 0 ]
  [[ $output == *"exclude each other"* ]]
  run nook execute -P "$LP" -n cv -- true
  [ "$status" -ne 0 ]
  sed -i '/^lxc.cap.keep/d' "$LP/cv/config"
  printf 'lxc.idmap = u 0 100000 65536\nlxc.idmap = u 1000 100500 10\nlxc.idmap = g 0 100000 65536\n' >> "$LP/cv/config"
  run nook start -P "$LP" -n cv
  [ "$status" -ne 0 ]
  one_line
  [[ $output == *"lxc.idmap"*"overlaps"* ]]
  run nook start -P "$LP" -n cv -s lxc.net.0.type=macvlan
  [ "$status" -ne 0 ]
}
