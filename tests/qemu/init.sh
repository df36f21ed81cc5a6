#!/bin/busybox sh
# shellcheck shell=dash
# PID 1 of the test VM: a pure cgroup v2 host (cgroup2 alone at /sys/fs/cgroup, as systemd's
# unified mode leaves it), then the cgroup tests, then a marker line the host script parses.
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox --install -s /bin
export PATH=/bin
# pivot_root cannot leave the initramfs (rootfs), and containers need it: move everything to a
# tmpfs and make that the root first.
if [ -z "$NOOK_VM_SWITCHED" ]; then
  mkdir -p /newroot
  mount -t tmpfs -o size=512m tmpfs /newroot
  for d in /*; do
    [ "$d" = /newroot ] || cp -a "$d" /newroot/
  done
  export NOOK_VM_SWITCHED=1
  exec switch_root /newroot /init
fi
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo "vm: kernel $(uname -r), /init started at uptime $(cut -d' ' -f1 /proc/uptime) s"
echo "vm: cgroup.controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
grep cgroup /proc/self/mountinfo | sed 's/^/vm: mountinfo: /'
/bin/cgroup-test
rc=$?
echo "vm: tests ended at uptime $(cut -d' ' -f1 /proc/uptime) s"
echo "NOOK-CGROUP-TEST-EXIT=$rc"
if [ -x /nook/test.sh ]; then
  mkdir -p /run /var/lib
  mount -t tmpfs tmpfs /run
  /nook/test.sh
  echo "NOOK-RUNTIME-TEST-EXIT=$?"
  echo "vm: nook tests ended at uptime $(cut -d' ' -f1 /proc/uptime) s"
fi
if [ -x /nook/net.sh ]; then
  # The network modules run-cgroup-v2.sh packed for this kernel, dependencies first (there is
  # no modprobe to load them on demand); the tests skip what is missing.
  mods=/lib/modules/$(uname -r)
  if [ -r "$mods/nook-load" ]; then
    while read -r m; do
      insmod "$mods/$m" || echo "vm: insmod $m failed"
    done < "$mods/nook-load"
  else
    echo "vm: no network modules packed for $(uname -r)"
  fi
  echo "vm: modules: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
  /nook/net.sh
  echo "NOOK-NET-TEST-EXIT=$?"
  echo "vm: network tests ended at uptime $(cut -d' ' -f1 /proc/uptime) s"
fi
poweroff -f
