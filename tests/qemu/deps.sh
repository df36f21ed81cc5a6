#!/bin/sh
# What tests/qemu/run-cgroup-v2.sh needs, from Debian's archive: a kernel to boot (its image lands
# in /boot/vmlinuz-*), qemu to boot it, a static busybox for the initramfs, and cpio to pack it.
# With --check, only report what is missing (exit 1 if anything is). Run as root to install.
set -eu
pkgs="linux-image-amd64 qemu-system-x86 busybox-static cpio"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "${1:-}" = "--check" ]; then
  echo "missing:$missing" >&2
  exit 1
fi
echo "==> Installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
