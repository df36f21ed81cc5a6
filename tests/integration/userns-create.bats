#!/usr/bin/env bats
# Unprivileged containers, the store's side: root's `create --unprivileged` (a range of
# /etc/subuid of its own, the tree shifted after the template) and a normal user's rootless
# create (the template runs as root of a user namespace under the user's ranges), their
# destroy, and failures that leave nothing behind. No container is started here: the start
# side of user namespaces has its own tests.
#
# Runs as root. Creates the user nooktest-user (and nooktest-nosub) and removes them, and every
# /etc/subuid and /etc/subgid line the tests added, at the end.
load helpers

TU=nooktest-user
TU2=nooktest-nosub

setup_file() {
  cp /etc/subuid "$BATS_FILE_TMPDIR/subuid.orig" 2>/dev/null || : > "$BATS_FILE_TMPDIR/subuid.orig"
  cp /etc/subgid "$BATS_FILE_TMPDIR/subgid.orig" 2>/dev/null || : > "$BATS_FILE_TMPDIR/subgid.orig"
  : > "$BATS_FILE_TMPDIR/bases"
  # A nook a normal user can run: the build's when others reach it (and its templates), else
  # a copy of both in a 0755 directory.
  local tpl=$BATS_TEST_DIRNAME/../../templates
  if runuser -u nobody -- test -x "$NOOK" && runuser -u nobody -- test -x "$tpl/nook-busybox"; then
    export UNOOK=$NOOK UTPL=
  else
    UBIN=$(mktemp -d /tmp/nook-ubin.XXXXXX)
    echo "$UBIN" > "$BATS_FILE_TMPDIR/ubin"
    cp "$NOOK" "$UBIN/nook"
    cp -r "$tpl" "$UBIN/templates"
    chmod -R a+rX "$UBIN"
    export UNOOK=$UBIN/nook UTPL=$UBIN/templates
  fi
}

teardown_file() {
  local b f u
  # Root's ranges the creates appended (destroy keeps them for the next create): ours only.
  for b in $(sort -u "$BATS_FILE_TMPDIR/bases"); do
    for f in subuid subgid; do
      grep -qx "root:$b:65536" "$BATS_FILE_TMPDIR/$f.orig" || sed -i "/^root:$b:65536\$/d" "/etc/$f"
    done
  done
  for u in "$TU" "$TU2"; do
    if id "$u" >/dev/null 2>&1; then
      rm -rf --one-file-system "/tmp/nook-$(id -u "$u")"
      userdel -r "$u" >/dev/null 2>&1 || true
    fi
    # userdel removes the user's subordinate ranges; make sure, by name.
    sed -i "/^$u:/d" /etc/subuid /etc/subgid
  done
  [[ ! -s $BATS_FILE_TMPDIR/ubin ]] || rm -rf "$(cat "$BATS_FILE_TMPDIR/ubin")"
}

setup() { setup_lxcpath; }
teardown() { teardown_lxcpath; }

# The host uid (u) or gid (g) of a container's root, from its config.
mapped_root() { # CONFIG [u|g]
  awk -v k="${2:-u}" '$1 == "lxc.idmap" && $3 == k && $4 == 0 { print $5; exit }' "$1"
}

# Creates an unprivileged container as root and remembers its range for teardown_file.
create_unpriv() { # NAME [ARGS...]
  local name=$1
  shift
  nook create -q -P "$LP" -n "$name" --unprivileged "$@"
  mapped_root "$LP/$name/config" >> "$BATS_FILE_TMPDIR/bases"
}

# True when /etc/FILE gives root [B, B+65536).
root_owns() { # subuid|subgid B
  awk -F: -v b="$2" '$1 == "root" && $2 <= b && b + 65536 <= $2 + $3 { ok = 1 } END { exit !ok }' "/etc/$1"
}

# Paths below DIR whose owner or group is outside [B, B+65536), at most a few.
outside_range() { # DIR B
  find "$1" -xdev \( -uid -"$2" -o -uid +"$(($2 + 65535))" -o -gid -"$2" -o -gid +"$(($2 + 65535))" \) -print | head -5
}

@test "create --unprivileged: lxc.idmap in the config, rootfs and directory owned by the mapped root" {
  create_unpriv u1 -t busybox
  b=$(mapped_root "$LP/u1/config")
  [[ $b =~ ^[0-9]+$ ]]
  [ "$b" -ge 65536 ]
  grep -qx "lxc.idmap = u 0 $b 65536" "$LP/u1/config"
  grep -qx "lxc.idmap = g 0 $b 65536" "$LP/u1/config"
  [ "$(grep -c '^lxc.idmap' "$LP/u1/config")" -eq 2 ]
  root_owns subuid "$b"
  root_owns subgid "$b"
  # The tree is the mapped root's, nothing is left outside the range.
  [ "$(stat -c %u:%g "$LP/u1/rootfs")" = "$b:$b" ]
  [ "$(stat -c %u:%g "$LP/u1/rootfs/bin/busybox")" = "$b:$b" ]
  [ "$(stat -c %u "$LP/u1/rootfs/etc/shadow")" = "$b" ]
  [ -z "$(outside_range "$LP/u1/rootfs" "$b")" ]
  # Symlinks are shifted themselves.
  [ "$(stat -c %u "$LP/u1/rootfs/bin/sh")" = "$b" ]
  # The container directory is the mapped root's (it must reach its rootfs); the config
  # stays root's and readable.
  [ "$(stat -c %u:%g "$LP/u1")" = "$b:$b" ]
  [ "$(stat -c %u "$LP/u1/config")" = 0 ]
  run nook config get -P "$LP" -n u1 lxc.idmap
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'u 0 %s 65536\ng 0 %s 65536' "$b" "$b")" ]
}

@test "create --unprivileged: setuid bits and file capabilities survive the shift" {
  # A template that sets what a real distribution has: a setuid binary, a setgid one, a file
  # capability, and owners other than root (one beyond 65535).
  tpl=$BATS_TEST_TMPDIR/nook-suid
  cat > "$tpl" <<EOF
#!/bin/sh
"$BATS_TEST_DIRNAME/../../templates/nook-busybox" "\$@" >/dev/null || exit 1
r=\$LXC_ROOTFS_PATH
chmod 4755 "\$r/bin/busybox"
rm -f "\$r/bin/ping" && cp /bin/busybox "\$r/bin/ping" && setcap cap_net_raw+ep "\$r/bin/ping"
touch "\$r/sgid" && chown 0:5 "\$r/sgid" && chmod 2755 "\$r/sgid"
mkdir "\$r/home/user" && chown 1000:1000 "\$r/home/user"
touch "\$r/far" && chown 70000:70000 "\$r/far"
EOF
  chmod 755 "$tpl"
  create_unpriv s1 -t "$tpl"
  b=$(mapped_root "$LP/s1/config")
  [ "$(stat -c %a:%u "$LP/s1/rootfs/bin/busybox")" = "4755:$b" ]
  [ "$(stat -c %a:%g "$LP/s1/rootfs/sgid")" = "2755:$((b + 5))" ]
  [ "$(stat -c %u:%g "$LP/s1/rootfs/home/user")" = "$((b + 1000)):$((b + 1000))" ]
  # Ids the container cannot have become its nobody.
  [ "$(stat -c %u:%g "$LP/s1/rootfs/far")" = "$((b + 65534)):$((b + 65534))" ]
  # The capability is rewritten as v3 for the container's root.
  run getcap -n "$LP/s1/rootfs/bin/ping"
  [[ $output == *"cap_net_raw=ep [rootid=$b]"* ]]
}

@test "create --unprivileged: two containers get ranges that do not overlap; a freed range is used again" {
  create_unpriv a1 -t busybox
  create_unpriv a2 -t busybox
  b1=$(mapped_root "$LP/a1/config")
  b2=$(mapped_root "$LP/a2/config")
  [ "$b1" != "$b2" ]
  [ $((b1 > b2 ? b1 - b2 : b2 - b1)) -ge 65536 ]
  [ "$(stat -c %u "$LP/a2/rootfs/bin/busybox")" = "$b2" ]
  root_owns subuid "$b2"
  root_owns subgid "$b2"
  # a1 goes: its range serves the next create, nothing new is appended.
  nook destroy -q -P "$LP" a1
  lines=$(wc -l < /etc/subuid)
  create_unpriv a3 -t busybox
  b3=$(mapped_root "$LP/a3/config")
  [ "$b3" != "$b2" ]
  [ "$(wc -l < /etc/subuid)" -eq "$lines" ]
}

@test "destroy removes everything of an unprivileged container" {
  create_unpriv d1 -t busybox
  run nook destroy -P "$LP" d1
  [ "$status" -eq 0 ]
  [ ! -e "$LP/d1" ]
  run nook ls -P "$LP"
  [ -z "$output" ]
}

@test "create --unprivileged: a failing template leaves no directory and no new subuid line" {
  # A container that holds every range of root's, so this create has to append one.
  mkdir -p "$LP/hog"
  awk -F: '$1 == "root" { printf "lxc.idmap = u 0 %s %s\nlxc.idmap = g 0 %s %s\n", $2, $3, $2, $3 }' \
    /etc/subuid /etc/subgid > "$LP/hog/config"
  echo "lxc.uts.name = hog" >> "$LP/hog/config"
  before_u=$(cat /etc/subuid)
  before_g=$(cat /etc/subgid)
  tpl=$BATS_TEST_TMPDIR/nook-fails
  cat > "$tpl" <<EOF
#!/bin/sh
cp /etc/subuid "$BATS_TEST_TMPDIR/seen"
mkdir -p "\$LXC_ROOTFS_PATH/etc" && touch "\$LXC_ROOTFS_PATH/etc/x"
exit 3
EOF
  chmod 755 "$tpl"
  run nook create -P "$LP" -n f1 -t "$tpl" --unprivileged
  [ "$status" -eq 1 ]
  [[ ${lines[-1]} == *"failed with exit status 3"* ]]
  [ ! -e "$LP/f1" ]
  # It did append a range while it ran, and took it back.
  [ "$(wc -l < "$BATS_TEST_TMPDIR/seen")" -gt "$(printf '%s\n' "$before_u" | grep -c .)" ]
  [ "$(cat /etc/subuid)" = "$before_u" ]
  [ "$(cat /etc/subgid)" = "$before_g" ]
}

@test "create --unprivileged with lxc.idmap from -f: those maps, nothing appended" {
  printf 'lxc.idmap = u 0 3000000 65536\nlxc.idmap = g 0 3100000 65536\n' > "$LP/maps.conf"
  before=$(cat /etc/subuid)
  nook create -q -P "$LP" -n m1 -t busybox --unprivileged -f "$LP/maps.conf"
  [ "$(grep -c '^lxc.idmap' "$LP/m1/config")" -eq 2 ]
  [ "$(stat -c %u:%g "$LP/m1/rootfs/bin/busybox")" = "3000000:3100000" ]
  [ "$(cat /etc/subuid)" = "$before" ]
  # Without --unprivileged the same config makes the same container.
  nook create -q -P "$LP" -n m2 -t busybox -f "$LP/maps.conf"
  [ "$(stat -c %u "$LP/m2/rootfs/etc/passwd")" = 3000000 ]
}

@test "create --unprivileged -t debian: owners, setuid bits and ping's capability shifted" {
  [[ ${NOOK_TEST_DEBIAN:-0} == 1 ]] || skip "set NOOK_TEST_DEBIAN=1 to build Debian containers"
  create_unpriv deb -t debian
  b=$(mapped_root "$LP/deb/config")
  [ -z "$(outside_range "$LP/deb/rootfs" "$b")" ]
  [ "$(stat -c %a:%u "$LP/deb/rootfs/usr/bin/passwd")" = "4755:$b" ]
  [ "$(stat -c %g "$LP/deb/rootfs/etc/shadow")" = "$((b + 42))" ]
  run getcap -n "$LP/deb/rootfs/usr/bin/ping"
  [[ $output == *"rootid=$b"* ]]
  nook destroy -q -P "$LP" deb
  [ ! -e "$LP/deb" ]
}

# --- rootless -----------------------------------------------------------------------------

# The user's first subordinate uid of a range of 65536 or more.
sub_base() { # USER FILE
  awk -F: -v u="$1" '$1 == u && $3 >= 65536 { print $2; exit }' "$2"
}

# The test user, with ranges (useradd gives some on Debian; usermod when it did not).
ensure_user() {
  id "$TU" >/dev/null 2>&1 || useradd -m "$TU"
  local f opt end
  for f in subuid subgid; do
    [ -n "$(sub_base "$TU" /etc/$f)" ] && continue
    opt=--add-${f}s
    end=$(awk -F: 'NF == 3 { e = $2 + $3; if (e > m) m = e } END { print (m < 100000 ? 100000 : m) }' \
      /etc/subuid /etc/subgid)
    usermod "$opt" "$end-$((end + 65535))" "$TU"
  done
}

as_user() { # USER ARGS...
  local u=$1
  shift
  runuser -u "$u" -- env -C / -u XDG_RUNTIME_DIR -u XDG_DATA_HOME -u XDG_CONFIG_HOME \
    NOOK_DEFAULT_CONF= ${UTPL:+NOOK_TEMPLATE_DIR=$UTPL} "$UNOOK" "$@"
}

@test "rootless: create -t busybox in the user's lxcpath, owned by the user's subordinate ids; ls; destroy" {
  ensure_user
  home=$(getent passwd "$TU" | cut -d: -f6)
  su=$(sub_base "$TU" /etc/subuid)
  sg=$(sub_base "$TU" /etc/subgid)
  run as_user "$TU" create -n r1 -t busybox
  echo "$output"
  [ "$status" -eq 0 ]
  d=$home/.local/share/nook/r1
  [ -f "$d/config" ]
  grep -qx "lxc.idmap = u 0 $su 65536" "$d/config"
  grep -qx "lxc.idmap = g 0 $sg 65536" "$d/config"
  # Made under the mapping: the namespace's root is the user's first subordinate id.
  [ "$(stat -c %u:%g "$d/rootfs")" = "$su:$sg" ]
  [ "$(stat -c %u:%g "$d/rootfs/bin/busybox")" = "$su:$sg" ]
  [ "$(stat -c %u:%g "$d/rootfs/etc/shadow")" = "$su:$sg" ]
  [ -z "$(find "$d/rootfs" \( ! -uid "$su" -o ! -gid "$sg" \) -print -quit)" ]
  # The directory: the mapped root's, the user's group; the config the user's.
  [ "$(stat -c %u:%G:%a "$d")" = "$su:$TU:770" ]
  [ "$(stat -c %U "$d/config")" = "$TU" ]
  # The runtime directory is the user's, closed to others.
  [ "$(stat -c %U:%a "/tmp/nook-$(id -u "$TU")")" = "$TU:700" ]
  run as_user "$TU" ls
  [ "$output" = r1 ]
  run as_user "$TU" config get -n r1 lxc.uts.name
  [ "$output" = r1 ]
  run as_user "$TU" config set -n r1 lxc.tty.max 2
  [ "$status" -eq 0 ]
  run as_user "$TU" destroy -n r1
  [ "$status" -eq 0 ]
  [ ! -e "$d" ]
  run as_user "$TU" ls
  [ -z "$output" ]
}

@test "rootless: a failing template leaves nothing, even files of subordinate ids" {
  ensure_user
  home=$(getent passwd "$TU" | cut -d: -f6)
  tpl=$(runuser -u "$TU" -- mktemp /tmp/nook-fails.XXXXXX)
  cat > "$tpl" <<'EOF'
#!/bin/sh
mkdir -p "$LXC_ROOTFS_PATH/etc/deep" && touch "$LXC_ROOTFS_PATH/etc/deep/x" && chmod 500 "$LXC_ROOTFS_PATH/etc/deep"
exit 4
EOF
  chmod 755 "$tpl"
  run as_user "$TU" create -n f1 -t "$tpl"
  rm -f "$tpl"
  [ "$status" -eq 1 ]
  [[ $output == *"failed with exit status 4"* ]]
  [ ! -e "$home/.local/share/nook/f1" ]
}

@test "rootless: -t debian is refused in one line before anything is made" {
  ensure_user
  home=$(getent passwd "$TU" | cut -d: -f6)
  run as_user "$TU" create -n deb -t debian
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"cannot run rootless"*"nook create --unprivileged"* ]]
  [ ! -e "$home/.local/share/nook/deb" ]
}

@test "rootless: a user without subordinate ids is told what to run, in one line" {
  id "$TU2" >/dev/null 2>&1 || useradd -m -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$TU2"
  sed -i "/^$TU2:/d" /etc/subuid /etc/subgid
  run as_user "$TU2" create -n x -t busybox
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"/etc/subuid has no range for $TU2"*"usermod --add-subuids"* ]]
  home=$(getent passwd "$TU2" | cut -d: -f6)
  [ ! -e "$home/.local/share/nook/x" ]
}

@test "rootless: a runtime directory open to others is refused" {
  ensure_user
  rd=/tmp/nook-$(id -u "$TU")
  runuser -u "$TU" -- mkdir -p "$rd"
  chmod 755 "$rd"
  run as_user "$TU" create -n x -t busybox
  chmod 700 "$rd"
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"runtime directory $rd"*"mode 0755"* ]]
}
