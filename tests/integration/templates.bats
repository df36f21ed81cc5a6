#!/usr/bin/env bats
# Container templates, run directly (no nook binary) as root into temporary
# directories, the way the manager calls them (LXC's template convention).
#
#   bats tests/integration/templates.bats
#   NOOK_TEST_DEBIAN=1 bats tests/integration/templates.bats   # + debootstrap
#
# The Debian tests download from the host's Debian mirror the first time and
# use the template's cache (/var/cache/nook/debian, or NOOK_TEST_DEBIAN_CACHE)
# afterwards.

bats_require_minimum_version 1.5.0

TEMPLATES=${NOOK_TEMPLATES_DIR:-$BATS_TEST_DIRNAME/../../templates}

setup() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	TMP=$(mktemp -d /tmp/nook-templates.XXXXXX)
	CT=$TMP/ct
	mkdir "$CT"
	ROOTFS=$CT/rootfs
	printf 'lxc.rootfs.path = dir:%s\nlxc.uts.name = t1\n' "$ROOTFS" >"$CT/config"
}

teardown() {
	[ -n "${TMP:-}" ] || return 0
	chattr -i "$CT/config" 2>/dev/null || true
	# Nothing should be mounted below TMP; unmount defensively before rm.
	awk -v d="$TMP" 'index($2, d "/") == 1 { print $2 }' /proc/self/mounts |
		sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf --one-file-system "$TMP"
}

# $stderr holds exactly one non-empty line starting with the template's name.
one_line_error() {
	[ -n "$stderr" ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ $stderr == "$1: "* ]]
}

# Config line KEY = VALUE present.
has_key() {
	grep -qxF "$1 = $2" "$CT/config"
}

busybox() {
	"$TEMPLATES/nook-busybox" "$@"
}

# --- nook-busybox ------------------------------------------------------------

@test "busybox: builds a rootfs with busybox, applets and init" {
	run --separate-stderr busybox --path="$CT" --name=t1 --rootfs="$ROOTFS"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ $output == *"==> Populating rootfs"* ]]
	[ -x "$ROOTFS/bin/busybox" ]
	[ "$(readlink "$ROOTFS/sbin/init")" = /bin/busybox ]
	[ "$(readlink "$ROOTFS/bin/sh")" = /bin/busybox ]
	[ -L "$ROOTFS/sbin/getty" ] && [ -L "$ROOTFS/sbin/udhcpc" ]
	for d in etc root tmp var/log dev proc sys run; do [ -d "$ROOTFS/$d" ]; done
	[ "$(stat -c %a "$ROOTFS/tmp")" = 1777 ]
	[ "$(cat "$ROOTFS/etc/hostname")" = t1 ]
	grep -q '127.0.1.1.*t1' "$ROOTFS/etc/hosts"
	grep -q '^root:x:0:0:' "$ROOTFS/etc/passwd"
	grep -q '^root::' "$ROOTFS/etc/shadow"
	grep -q PS1 "$ROOTFS/etc/profile"
	[ -x "$ROOTFS/etc/init.d/rcS" ]
	[ -x "$ROOTFS/usr/share/udhcpc/default.script" ]
	# Small: busybox plus a few text files.
	[ "$(du -sk "$ROOTFS" | cut -f1)" -lt 8192 ]
}

@test "busybox: inittab runs rcS, gettys on tty1..4 and a console shell" {
	busybox --path="$CT" --name=t1 --rootfs="$ROOTFS" >/dev/null
	local tab=$ROOTFS/etc/inittab
	grep -qx '::sysinit:/etc/init.d/rcS' "$tab"
	for i in 1 2 3 4; do
		grep -qx "tty$i::respawn:/sbin/getty 38400 tty$i" "$tab"
	done
	grep -q '^console::respawn:-/bin/sh' "$tab"
	grep -q '^::ctrlaltdel:' "$tab"
	grep -q '^::shutdown:' "$tab"
}

@test "busybox: appends its keys to the config and keeps what was there" {
	busybox --path="$CT" --name=t1 --rootfs="$ROOTFS" >/dev/null
	grep -qx "lxc.rootfs.path = dir:$ROOTFS" "$CT/config"
	grep -qx 'lxc.uts.name = t1' "$CT/config"
	has_key lxc.tty.max 4
	has_key lxc.pty.max 1024
	has_key lxc.autodev 1
	has_key lxc.mount.auto 'proc:mixed sys:mixed cgroup:mixed'
	has_key lxc.signal.halt SIGUSR1
	has_key lxc.signal.reboot SIGTERM
	has_key lxc.init.cmd /sbin/init
	has_key lxc.cap.drop 'sys_module mac_admin mac_override sys_time'
	[ "$(grep -c '^lxc.rootfs.path' "$CT/config")" -eq 1 ]
	[ "$(grep -c '^lxc.uts.name' "$CT/config")" -eq 1 ]
}

@test "busybox: keeps a tty count the config already has" {
	echo 'lxc.tty.max = 2' >>"$CT/config"
	busybox --path="$CT" --name=t1 --rootfs="$ROOTFS" >/dev/null
	[ "$(grep -c '^lxc.tty.max' "$CT/config")" -eq 1 ]
}

@test "busybox: the rootfs runs a shell under chroot" {
	busybox --path="$CT" --name=t1 --rootfs="$ROOTFS" >/dev/null
	run chroot "$ROOTFS" /bin/sh -c 'echo hi'
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	run chroot "$ROOTFS" /bin/sh -c '. /etc/profile; hostname -F /etc/hostname 2>/dev/null; cat /etc/hostname'
	[ "$output" = t1 ]
}

@test "busybox: creation is fast" {
	local t0 t1
	t0=$(date +%s%N)
	busybox --path="$CT" --name=t1 --rootfs="$ROOTFS" >/dev/null
	t1=$(date +%s%N)
	# Target is well under a second; allow for a loaded machine.
	[ $(((t1 - t0) / 1000000)) -lt 3000 ]
}

@test "busybox: space-separated and short options" {
	run busybox -p "$CT" -n t2 --rootfs "$ROOTFS"
	[ "$status" -eq 0 ]
	[ "$(cat "$ROOTFS/etc/hostname")" = t2 ]
}

@test "busybox: takes name, path and rootfs from LXC_* variables" {
	run env LXC_NAME=t3 LXC_CONFIG_FILE="$CT/config" LXC_ROOTFS_PATH="$TMP/other" \
		"$TEMPLATES/nook-busybox"
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/other/etc/hostname")" = t3 ]
	[ ! -e "$ROOTFS" ]
	has_key lxc.signal.halt SIGUSR1
}

@test "busybox: rootfs from lxc.rootfs.path when --rootfs is absent" {
	run busybox --path="$CT"
	[ "$status" -eq 0 ]
	[ -x "$ROOTFS/bin/busybox" ]
}

@test "busybox: --root-password stores a SHA-512 hash" {
	busybox --path="$CT" --name=t1 --rootfs="$ROOTFS" --root-password='s3 cr#t' >/dev/null
	local hash salt
	hash=$(awk -F: '$1 == "root" { print $2 }' "$ROOTFS/etc/shadow")
	[[ $hash == '$6$'* ]]
	if command -v openssl >/dev/null; then
		salt=$(cut -d'$' -f3 <<<"$hash")
		[ "$(openssl passwd -6 -salt "$salt" 's3 cr#t')" = "$hash" ]
	fi
	[ "$(stat -c %a "$ROOTFS/etc/shadow")" = 600 ]
}

@test "busybox: --mapped-uid/--mapped-gid shift the rootfs owner" {
	busybox --path="$CT" --name=t1 --rootfs="$ROOTFS" \
		--mapped-uid 100000 --mapped-gid 100000 >/dev/null
	[ "$(stat -c %u:%g "$ROOTFS")" = 100000:100000 ]
	[ "$(stat -c %u:%g "$ROOTFS/bin/busybox")" = 100000:100000 ]
	[ "$(stat -c %u:%g "$ROOTFS/etc/shadow")" = 100000:100000 ]
}

@test "busybox: --help prints usage" {
	run busybox --help
	[ "$status" -eq 0 ]
	[[ $output == *"--busybox-path"* ]]
	[[ $output == *"--root-password"* ]]
}

@test "busybox: an unknown option fails with one line" {
	run --separate-stderr busybox --path="$CT" --rootfs="$ROOTFS" --frobnicate
	[ "$status" -ne 0 ]
	one_line_error nook-busybox
	[[ $stderr == *frobnicate* ]]
	[ ! -e "$ROOTFS" ]
}

@test "busybox: an option without its argument fails with one line" {
	run --separate-stderr busybox --path="$CT" --rootfs
	[ "$status" -ne 0 ]
	one_line_error nook-busybox
	[ ! -e "$ROOTFS" ]
}

@test "busybox: no rootfs anywhere fails cleanly" {
	echo 'lxc.uts.name = t1' >"$CT/config"
	run --separate-stderr env -u LXC_ROOTFS_PATH "$TEMPLATES/nook-busybox" --path="$CT" --name=t1
	[ "$status" -ne 0 ]
	one_line_error nook-busybox
	[[ $stderr == *rootfs* ]]
	[ "$(ls -A "$CT")" = config ]
	[ "$(cat "$CT/config")" = 'lxc.uts.name = t1' ]
}

@test "busybox: a missing container directory fails cleanly" {
	run --separate-stderr busybox --path="$TMP/nope" --name=t1 --rootfs="$ROOTFS"
	[ "$status" -ne 0 ]
	one_line_error nook-busybox
	[ ! -e "$ROOTFS" ]
}

@test "busybox: refuses to build over a non-empty rootfs" {
	mkdir -p "$ROOTFS"
	echo keep >"$ROOTFS/precious"
	run --separate-stderr busybox --path="$CT" --name=t1 --rootfs="$ROOTFS"
	[ "$status" -ne 0 ]
	one_line_error nook-busybox
	[ "$(ls -A "$ROOTFS")" = precious ]
	[ "$(cat "$ROOTFS/precious")" = keep ]
}

@test "busybox: refuses a dynamically linked busybox" {
	# Any dynamically linked executable stands in for a dynamic busybox.
	local dyn
	dyn=$(command -v ls)
	run --separate-stderr busybox --path="$CT" --name=t1 --rootfs="$ROOTFS" --busybox-path="$dyn"
	[ "$status" -ne 0 ]
	one_line_error nook-busybox
	[[ $stderr == *"dynamically linked"* ]]
	[ ! -e "$ROOTFS" ]
}

@test "busybox: a config that is a directory fails cleanly" {
	rm -f "$CT/config"
	mkdir "$CT/config"
	run --separate-stderr busybox --path="$CT" --name=t1 --rootfs="$ROOTFS"
	[ "$status" -ne 0 ]
	one_line_error nook-busybox
	[ ! -e "$ROOTFS" ]
}

@test "busybox: a failure at the last step empties a given rootfs, keeps the directory" {
	mkdir -p "$ROOTFS"
	# An immutable config cannot be appended to: the very last step fails.
	chattr +i "$CT/config" 2>/dev/null || skip "chattr +i not supported on $TMP"
	run --separate-stderr busybox --path="$CT" --name=t1 --rootfs="$ROOTFS"
	chattr -i "$CT/config"
	[ "$status" -ne 0 ]
	one_line_error nook-busybox
	[[ $stderr == *"cannot append"* ]]
	[ -d "$ROOTFS" ]
	[ -z "$(ls -A "$ROOTFS")" ]
}

@test "busybox: a failure at the last step removes a rootfs it created" {
	chattr +i "$CT/config" 2>/dev/null || skip "chattr +i not supported on $TMP"
	run --separate-stderr busybox --path="$CT" --name=t1 --rootfs="$ROOTFS"
	chattr -i "$CT/config"
	[ "$status" -ne 0 ]
	one_line_error nook-busybox
	[ ! -e "$ROOTFS" ]
}

# --- nook-debian ----------------------------------------------------------------

debian_enabled() {
	[ "${NOOK_TEST_DEBIAN:-0}" = 1 ] || skip "set NOOK_TEST_DEBIAN=1 (downloads from the Debian mirror)"
	command -v debootstrap >/dev/null || skip "debootstrap not installed"
}

debian() {
	"$TEMPLATES/nook-debian" ${NOOK_TEST_DEBIAN_CACHE:+--cache-dir="$NOOK_TEST_DEBIAN_CACHE"} "$@"
}

@test "debian: --help and option errors need no network" {
	run "$TEMPLATES/nook-debian" --help
	[ "$status" -eq 0 ]
	[[ $output == *"--release"* && $output == *"--flush-cache"* ]]

	run --separate-stderr "$TEMPLATES/nook-debian" --path="$CT" --rootfs="$ROOTFS" --bogus
	[ "$status" -ne 0 ]
	one_line_error nook-debian

	run --separate-stderr "$TEMPLATES/nook-debian" --path="$CT" --rootfs="$ROOTFS" --init upstart
	[ "$status" -ne 0 ]
	one_line_error nook-debian

	run --separate-stderr "$TEMPLATES/nook-debian" --path="$CT" --rootfs="$ROOTFS" --variant huge
	[ "$status" -ne 0 ]
	one_line_error nook-debian
	[ ! -e "$ROOTFS" ]
}

@test "debian: bookworm minbase with sysvinit, then again from the cache" {
	debian_enabled
	run --separate-stderr debian --path="$CT" --name=t1 --rootfs="$ROOTFS" \
		--release bookworm --variant minbase --init sysvinit
	echo "$output"
	echo "$stderr" >&2
	[ "$status" -eq 0 ]
	grep -q '^12\.' "$ROOTFS/etc/debian_version"
	[ "$(cat "$ROOTFS/etc/hostname")" = t1 ]
	[ -x "$ROOTFS/sbin/init" ]
	chroot "$ROOTFS" dpkg-query -W sysvinit-core >/dev/null
	! chroot "$ROOTFS" dpkg-query -W -f '${Status}' systemd-sysv 2>/dev/null | grep -q installed
	for i in 1 2 3 4; do
		grep -q "^$i:2345:respawn:/sbin/getty .* tty$i\$" "$ROOTFS/etc/inittab"
	done
	grep -q '^co:.*getty.* console$' "$ROOTFS/etc/inittab"
	grep -q '^p0::powerfail:' "$ROOTFS/etc/inittab"
	# Scripts that would remount / or touch the clock are stubs.
	grep -q 'Disabled by nook-debian' "$ROOTFS/etc/init.d/umountroot"
	grep -q 'iface eth0 inet dhcp' "$ROOTFS/etc/network/interfaces"
	[ "$(wc -c <"$ROOTFS/etc/machine-id")" -eq 33 ]
	run chroot "$ROOTFS" /bin/true
	[ "$status" -eq 0 ]
	has_key lxc.tty.max 4
	has_key lxc.autodev 1
	has_key lxc.signal.halt SIGPWR
	has_key lxc.mount.auto 'proc:mixed sys:mixed cgroup:mixed'
	has_key lxc.cap.drop 'sys_module mac_admin mac_override sys_time sys_rawio'
	grep -q '^lxc.arch = ' "$CT/config"

	# Same options again: no download, just the cached copy.
	local ct2=$TMP/ct2 t0 t1
	mkdir "$ct2"
	printf 'lxc.rootfs.path = dir:%s/rootfs\nlxc.uts.name = t2\n' "$ct2" >"$ct2/config"
	t0=$(date +%s)
	run debian --path="$ct2" --name=t2 --rootfs="$ct2/rootfs" \
		--release bookworm --variant minbase --init sysvinit
	t1=$(date +%s)
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"==> Using cached rootfs"* ]]
	[[ $output != *"Downloading packages"* ]]
	[ $((t1 - t0)) -lt 60 ]
	[ "$(cat "$ct2/rootfs/etc/hostname")" = t2 ]
	# Each container has its own machine-id.
	! cmp -s "$ROOTFS/etc/machine-id" "$ct2/rootfs/etc/machine-id"
}

@test "debian: default systemd init sets up gettys for ptys" {
	debian_enabled
	run debian --path="$CT" --name=t1 --rootfs="$ROOTFS" --root-password=pw
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $(chroot "$ROOTFS" readlink -f /sbin/init) == */lib/systemd/systemd ]]
	for i in 1 2 3 4; do
		[ -L "$ROOTFS/etc/systemd/system/getty.target.wants/getty@tty$i.service" ]
	done
	grep -qx 'ConditionPathExists=/dev/%I' \
		"$ROOTFS/etc/systemd/system/getty@.service.d/nook-container.conf"
	[ "$(readlink "$ROOTFS/etc/systemd/system/container-getty@.service")" = /dev/null ]
	awk -F: '$1 == "root" { exit !($2 ~ /^\$/) }' "$ROOTFS/etc/shadow"
	has_key lxc.signal.halt SIGRTMIN+3
	run chroot "$ROOTFS" /bin/true
	[ "$status" -eq 0 ]
}

@test "debian: a release the mirror lacks fails with one line and no rootfs" {
	debian_enabled
	run --separate-stderr debian --path="$CT" --name=t1 --rootfs="$ROOTFS" --release nosuchsuite
	[ "$status" -ne 0 ]
	one_line_error nook-debian
	[ ! -e "$ROOTFS" ]
}
