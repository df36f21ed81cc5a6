#!/bin/busybox sh
# shellcheck shell=dash
# Inside the pure cgroup v2 VM: nook itself, end to end, with a busybox container. TAP output.
export PATH=/bin:/sbin:/usr/bin NOOK_TEMPLATE_DIR=/nook/templates NOOK_INIT=/nook/nook-init
export NOOK_SECCOMP_DIR=/nook/seccomp NOOK_DEFAULT_CONF=""
[ -x /nook/nook-monitor ] && export NOOK_MONITOR=/nook/nook-monitor
N=/nook/nook
P=/tmp/lxcpath
n=0 fail=0
t() { # t DESCRIPTION CMD...
  desc=$1; shift
  n=$((n + 1))
  if out=$("$@" 2>&1); then echo "ok $n - $desc"; else echo "not ok $n - $desc"; echo "$out" | sed 's/^/# /'; fail=1; fi
}
cg=/sys/fs/cgroup/nook.payload
t "create a busybox container" $N create -q -P $P -n v2 -t busybox
t "set cgroup2 limits" sh -c "$N config set -P $P -n v2 lxc.cgroup2.memory.max 67108864 &&
  $N config set -P $P -n v2 lxc.cgroup2.pids.max 64"
t "start" $N start -P $P -n v2
cgdir=$(ls -d $cg/*v2 2>/dev/null | head -n 1)
t "the container has its own cgroup" test -d "$cgdir"
t "memory.max applied" sh -c "test \"\$(cat $cgdir/memory.max)\" = 67108864"
t "pids.max applied" sh -c "test \"\$(cat $cgdir/pids.max)\" = 64"
t "init is in its child ns/, the cgroup namespace's root" sh -c "grep -q \"\$($N info -P $P -n v2 -p | awk '{print \$2}')\" $cgdir/ns/cgroup.procs"
t "the container cannot raise its limits" sh -c "$N attach -P $P -n v2 -- sh -c 'echo max > /sys/fs/cgroup/pids.max' </dev/null; test \"\$(cat $cgdir/pids.max)\" = 64"
# stdin is the VM's serial console: attach would proxy a pty; scripts pass their own input
t "the container sees its cgroup as /" sh -c "test \"\$($N attach -P $P -n v2 -- cat /proc/self/cgroup </dev/null)\" = '0::/'"
t "the monitor is the small static one" sh -c "for p in /proc/[0-9]*; do readlink \$p/exe; done | grep -q nook-monitor"
t "attach runs inside" sh -c "test \"\$($N attach -P $P -n v2 -- hostname </dev/null)\" = v2"
t "seccomp is in force in the container" sh -c "$N attach -P $P -n v2 -- grep -q 'Seccomp:.*2' /proc/self/status </dev/null"
# Devices: the default list, as an eBPF device program on the container's cgroup. mknod of an
# allowed node working shows the container has CAP_MKNOD, so the refusals are the program's;
# nodes the host makes in the rootfs show what opening them does (EPERM is the device check).
a="$N attach -P $P -n v2 --"
r=$P/v2/rootfs
t "devices: /dev/null and /dev/zero work" sh -c "$a sh -c 'echo x > /dev/null && head -c 4 /dev/zero | wc -c' </dev/null | grep -qx 4"
t "devices: mknod of an allowed node (c 1:3) works" $a sh -c 'mknod /tmp/n c 1 3 && rm /tmp/n' </dev/null
t "devices: mknod of a block device (b 7:0) is refused" sh -c "! $a mknod /tmp/disk b 7 0 </dev/null 2>/tmp/dev.err; cat /tmp/dev.err; grep -q 'Operation not permitted' /tmp/dev.err"
t "devices: a block node made by the host cannot be opened" sh -c "mknod $r/nk-blk b 7 0 && mknod $r/nk-zero c 1 5 || exit 1
  z=\$($a head -c 4 /nk-zero </dev/null | wc -c); $a head -c 1 /nk-blk </dev/null 2>/tmp/dev.err && echo OPENED
  cat /tmp/dev.err; rm -f $r/nk-blk $r/nk-zero; test \$z = 4 && grep -q 'Operation not permitted' /tmp/dev.err"
t "freeze and thaw" sh -c "$N freeze -P $P -n v2 && grep -q 'frozen 1' $cgdir/cgroup.events && $N unfreeze -P $P -n v2"
t "stop" $N stop -P $P -n v2 -t 10
t "the cgroup is gone after stop" sh -c "! test -d $cgdir"
t "execute returns the status" sh -c "$N execute -P $P -n v2 -- sh -c 'exit 5'; test \$? = 5"
# The config's own rules (lxc.cgroup2.devices.*) make the program instead of the default list:
# b 7:0 may be made (m) but not read, /dev/zero is not on the list any more.
cat >> $P/v2/config <<EOF
lxc.cgroup2.devices.deny = a
lxc.cgroup2.devices.allow = c 1:3 rwm
lxc.cgroup2.devices.allow = c 5:* rwm
lxc.cgroup2.devices.allow = c 136:* rwm
lxc.cgroup2.devices.allow = b 7:0 m
EOF
t "start with lxc.cgroup2.devices rules" $N start -P $P -n v2
t "devices (config): mknod b 7:0 works, reading it does not" sh -c "$a sh -c 'mknod /nk-disk b 7 0 || exit 1; head -c 1 /nk-disk; rm -f /nk-disk' </dev/null 2>&1 | grep 'head: /nk-disk: Operation not permitted'"
t "devices (config): /dev/null works, /dev/zero is refused" sh -c "$a sh -c 'echo x > /dev/null && head -c 1 /dev/zero' </dev/null 2>&1 | grep 'head: /dev/zero: Operation not permitted'"
t "stop again" $N stop -P $P -n v2 -t 10
echo "1..$n"
exit $fail
