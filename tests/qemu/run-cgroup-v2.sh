#!/bin/bash
# Runs the cgroup tests on a pure cgroup v2 host: Debian's kernel booted under qemu in software
# emulation (KVM hangs on these machines), with an initramfs of busybox and the statically linked
# test driver (tests/cgroup/tap_main.c). Installs nothing: tests/qemu/deps.sh does.
#
#   tests/qemu/run-cgroup-v2.sh [TEST_BINARY]
#
# TEST_BINARY defaults to build/tests/cgroup/cgroup-tap-static (built with ninja if missing).
# Environment: NOOK_VM_KERNEL (default: newest /boot/vmlinuz-*), NOOK_VM_TIMEOUT (seconds,
# default 300), NOOK_VM_LOG (default: cgroup-v2-vm.log next to the test binary), NOOK_BUILD (the
# build dir nook, nook-init, nook-monitor and the test binary come from; default build), NOOK
# (the nook binary; default $NOOK_BUILD/src/cli/nook).
# With nook built, the VM also runs nook-v2.sh (the runtime end to end) and nook-net.sh
# (container networks the development host's kernel cannot make: vlan, ipvlan, bridge VLAN
# filtering, macvlan), for which the kernel's network modules are packed from
# /lib/modules/VERSION, VERSION being the image's file name after vmlinuz-.
# Exit status: the tests' own (0 passed, 1 failed), 77 when a dependency is missing, 124 on
# timeout, 2 when the VM never reported.
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
here="$top/tests/qemu"
build=${NOOK_BUILD:-$top/build}
bin=${1:-$build/tests/cgroup/cgroup-tap-static}
timeout_s=${NOOK_VM_TIMEOUT:-300}

skip() { echo "run-cgroup-v2: $*; install with tests/qemu/deps.sh" >&2; exit 77; }

command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
command -v cpio >/dev/null || skip "no cpio"
busybox=/bin/busybox
[[ -x $busybox ]] || skip "no $busybox"
# The newest image by version order (sort -V), as the boot loader would pick.
kernel=${NOOK_VM_KERNEL:-$(printf "%s\n" /boot/vmlinuz-* | sort -V | tail -n 1)}
[[ -n $kernel && -r $kernel ]] || skip "no kernel image in /boot"

is_static() { ! readelf -l "$1" 2>/dev/null | grep -q 'INTERP'; }
is_static "$busybox" || skip "$busybox is not static (busybox-static)"
if [[ ! -x $bin && $# -eq 0 ]]; then
  ninja -C "$build" tests/cgroup/cgroup-tap-static >/dev/null
fi
[[ -x $bin ]] || { echo "run-cgroup-v2: no test binary $bin" >&2; exit 2; }
is_static "$bin" || { echo "run-cgroup-v2: $bin is not statically linked" >&2; exit 2; }
log=${NOOK_VM_LOG:-$(dirname "$(readlink -f "$bin")")/cgroup-v2-vm.log}

# The kernel's network modules the network tests need, with what they depend on, into the
# initramfs under /lib/modules/VERSION, and their load order (dependencies first, as modprobe
# would) in its nook-load, which the VM's init feeds to insmod. VERSION is the image's file name
# after vmlinuz-, which is its `uname -r`; a module the kernel has built in, or lacks, is not
# listed, and the tests then find out what the kernel can do and skip what it cannot.
pack_net_modules() {
  local kver moddir m line f deps i order=() seen=" "
  kver=$(basename "$kernel"); kver=${kver#vmlinuz-}
  moddir=/lib/modules/$kver
  [[ -r $moddir/modules.dep ]] || { echo "run-cgroup-v2: no $moddir/modules.dep: no network modules packed"; return 0; }
  for m in veth bridge 8021q ipvlan macvlan; do
    line=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" "$moddir/modules.dep" || true)
    [[ -n $line ]] || continue
    # modules.dep lists every dependency, the ones needed first last
    read -ra deps <<< "${line#*:}"
    for ((i = ${#deps[@]} - 1; i >= 0; i--)); do order+=("${deps[i]}"); done
    order+=("${line%%:*}")
  done
  mkdir -p "$root$moddir"
  for f in "${order[@]}"; do
    [[ $seen == *" $f "* ]] && continue
    seen+="$f "
    mkdir -p "$root$moddir/$(dirname "$f")"
    # busybox insmod loads a plain .ko: a compressed one is unpacked here
    case $f in
      *.ko.xz) xz -dc "$moddir/$f" > "$root$moddir/${f%.xz}" ;;
      *.ko.zst) zstd -qdc "$moddir/$f" > "$root$moddir/${f%.zst}" ;;
      *.ko.gz) gzip -dc "$moddir/$f" > "$root$moddir/${f%.gz}" ;;
      *) cp "$moddir/$f" "$root$moddir/$f" ;;
    esac
    echo "${f%.ko*}.ko" >> "$root$moddir/nook-load"
  done
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp "$busybox" "$root/bin/busybox"
cp "$bin" "$root/bin/cgroup-test"
install -m 0755 "$here/init.sh" "$root/init"
# nook itself, when built: the binary with its shared libraries, nook-init and the templates.
nook=${NOOK:-$build/src/cli/nook}
copy_with_libs() { # BINARY DEST: a dynamically linked program and the libraries it needs
  cp "$1" "$2"
  local lib
  for lib in $(ldd "$1" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    [[ -e $root$lib ]] || cp -L "$lib" "$root$lib"
  done
}
if [[ -x $nook && -x $build/src/init/nook-init ]]; then
  mkdir -p "$root/nook/templates" "$root/etc"
  copy_with_libs "$nook" "$root/nook/"
  cp "$build/src/init/nook-init" "$root/nook/"
  [[ -x $build/src/monitor/small/nook-monitor ]] && cp "$build/src/monitor/small/nook-monitor" "$root/nook/"
  cp "$top/templates/nook-busybox" "$root/nook/templates/"
  mkdir -p "$root/nook/seccomp"
  cp "$top/config/seccomp/common.seccomp" "$root/nook/seccomp/"
  install -m 0755 "$here/nook-v2.sh" "$root/nook/test.sh"
  install -m 0755 "$here/nook-net.sh" "$root/nook/net.sh"
  # iproute2 for the network tests' own set-up and checks (busybox's ip cannot name a veth's
  # peer or show link details, and busybox has no bridge); nook itself uses neither.
  mkdir -p "$root/nook/bin"
  for tool in ip bridge; do
    path=$(command -v "$tool" || true)
    if [[ -n $path ]]; then copy_with_libs "$path" "$root/nook/bin/"; fi
  done
  [[ -e $root/lib64 ]] || ln -s usr/lib64 "$root/lib64" 2>/dev/null || true
  pack_net_modules
fi
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1 > "$work/initrd.gz")

echo "run-cgroup-v2: booting $(basename "$kernel") (tcg, timeout ${timeout_s}s), log in $log"
start=$(date +%s%N)
set +e
# -nic none: no network card, so no iPXE option ROM to wait for. panic=-1 with -no-reboot turns
# a kernel panic into a qemu exit instead of a hang until the timeout.
timeout -k 10 "$timeout_s" qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 1 \
  -nographic -no-reboot -nic none \
  -kernel "$kernel" -initrd "$work/initrd.gz" \
  -append 'console=ttyS0 panic=-1 quiet systemd.unified_cgroup_hierarchy=1' \
  </dev/null 2>&1 | sed -e 's/\r//g' -e 's/\x1bc//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' > "$log"
qemu_rc=${PIPESTATUS[0]}
set -e
end=$(date +%s%N)
grep -E '^(vm:|#|ok |not ok |1\.\.|TAP)' "$log" || true
ms=$(( (end - start) / 1000000 ))
printf 'run-cgroup-v2: qemu ran %d.%03d s\n' $((ms / 1000)) $((ms % 1000))

if [[ $qemu_rc == 124 || $qemu_rc == 137 ]]; then
  echo "run-cgroup-v2: timed out after ${timeout_s}s" >&2
  exit 124
fi
# All of v2's usual controllers must be on offer, or the run proves less than it claims.
controllers=$(sed -n 's/^vm: cgroup.controllers: //p' "$log")
for c in cpuset cpu io memory pids; do
  [[ " $controllers " == *" $c "* ]] || { echo "run-cgroup-v2: kernel lacks v2 controller $c" >&2; exit 1; }
done
marker=$(grep -ao 'NOOK-CGROUP-TEST-EXIT=[0-9]*' "$log" | tail -n 1 || true)
if [[ -z $marker ]]; then
  echo "run-cgroup-v2: the VM never reported (qemu exit $qemu_rc); last lines:" >&2
  tail -n 20 "$log" >&2
  exit 2
fi
rc=${marker#*=}
if [[ -d $root/nook ]]; then
  nmarker=$(grep -ao 'NOOK-RUNTIME-TEST-EXIT=[0-9]*' "$log" | tail -n 1 || true)
  [[ -n $nmarker ]] || { echo "run-cgroup-v2: nook's runtime tests never reported" >&2; exit 2; }
  [[ ${nmarker#*=} == 0 ]] || rc=1
  nmarker=$(grep -ao 'NOOK-NET-TEST-EXIT=[0-9]*' "$log" | tail -n 1 || true)
  [[ -n $nmarker ]] || { echo "run-cgroup-v2: nook's network tests never reported" >&2; exit 2; }
  [[ ${nmarker#*=} == 0 ]] || rc=1
fi
exit "$rc"
