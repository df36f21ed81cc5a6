#!/usr/bin/env bats
# The escape suite: one test per known container escape, each run for real as root inside a
# busybox container (nook create -t busybox: proc:mixed sys:mixed cgroup:mixed, the template's
# lxc.cap.drop, the default seccomp profile), each asserting that the attack fails and that the
# host is untouched (a host-side canary: a file, a /proc/sys value, the host's mount table, a
# cgroup as the host sees it, the host's terminal).
#
# It runs twice: as escape.bats with PRIVILEGED containers, and as escape-unprivileged.bats (a
# symlink to this file) with containers in a user namespace whose root is an unused host uid
# (helpers.bash: SEC_MODE, sec_container). Where a privileged container cannot be made safe
# without a user namespace (or an LSM), the privileged run skips the test with the reason
# (skip_if_privileged) and docs/security.md lists it.
#
# A test whose attack still works is marked `skip "not blocked yet: ..."`, never rewritten to
# pass: the skip comes out when the runtime blocks it. docs/security.md has the table.
#
# Run: NOOK=$PWD/build/src/cli/nook bats tests/security
load helpers
bats_require_minimum_version 1.5.0

setup_file() { build_attacks; }
setup() { sec_setup; }
teardown() { sec_teardown; }

# ---- 1 -------------------------------------------------------------------------------------

@test "CVE-2019-5736: nook's binary cannot be overwritten through /proc/PID/exe (#!/proc/self/exe + attach)" {
  # The real attack: the container replaces /bin/true with a script whose interpreter is
  # /proc/self/exe, so `nook attach -- /bin/true` makes the attach's command process re-execute
  # nook's own image inside the container; a watcher in the container stops every process whose
  # exe is nook's, opens /proc/PID/exe for writing (O_WRONLY|O_TRUNC, O_WRONLY, O_RDWR) and keeps
  # an O_PATH fd to reopen once the process is gone (runc's exploit). What blocks it: attach runs
  # from a sealed memfd copy of nook (src/cli/nook.c seal_if_needed, src/util/selfexec.c
  # nk_selfexec_sealed): what the container can reach is the memfd, which refuses writes
  # (ETXTBSY while it runs, EPERM from the seals after), never the file on the host.
  # The binary under attack is a copy of nook, so that a success could never destroy the build;
  # the build is checked as well.
  local target=$BATS_TEST_TMPDIR/nook-under-attack
  cp "$NOOK" "$target"
  local before after
  before=$(sha256sum "$target" "$NOOK" | awk '{print $1}')
  local build=$NOOK
  NOOK=$target
  sec_container c1
  local r
  r=$(rootfs c1)
  # nook is dynamically linked: give the rootfs its libraries, so that the re-executed image
  # really runs inside the container (a glibc distribution container has them anyway).
  copy_nook_libs "$r"
  rm -f "$r/bin/true"
  printf '#!/proc/self/exe\n' > "$r/bin/true"
  chmod 755 "$r/bin/true"
  nook start -P "$LP" -n c1

  # Control: the same watcher against a binary of the container's own (run through a symlink so
  # busybox knows the applet) does overwrite it once it has exited: the technique works.
  cp "$r/bin/busybox" "$r/tmp/victim"
  ln -s /tmp/victim "$r/tmp/sleep"
  sec_own "$r/tmp/victim" "$r/tmp/sleep"
  in_ct c1 sh -c 'exewatch 1.5 victim > /tmp/control.log 2>&1 & sleep 0.3; /tmp/sleep 0.3; wait'
  cat "$r/tmp/control.log"
  grep -q 'SUMMARY nook_seen=[1-9][0-9]* write_ok=[1-9]' "$r/tmp/control.log"

  # The attack.
  in_ct c1 sh -c 'exewatch 3 > /tmp/exewatch.log 2>&1 &'
  wait_for_text "$r/tmp/exewatch.log" 5 "exewatch pid"
  for _ in 1 2 3; do
    nook attach -P "$LP" -n c1 -- /bin/true < /dev/null || true
  done
  run nook attach -P "$LP" -n c1 -- /bin/echo still-attaching < /dev/null
  [ "$output" = still-attaching ]
  wait_for_text "$r/tmp/exewatch.log" 10 SUMMARY
  cat "$r/tmp/exewatch.log"
  # It did catch nook's image, including re-executed through /proc/self/exe ...
  grep -q 'SUMMARY nook_seen=[1-9]' "$r/tmp/exewatch.log"
  grep -q 'exe /memfd:nook.*cmdline /proc/self/exe /bin/true' "$r/tmp/exewatch.log"
  # ... and never wrote it.
  grep -q 'SUMMARY nook_seen=[0-9]* write_ok=0 ' "$r/tmp/exewatch.log"
  after=$(sha256sum "$target" "$build" | awk '{print $1}')
  [ "$before" = "$after" ]
}

@test "CVE-2019-5736 through start: an init of #!/proc/self/exe with the container's own ELF interpreter cannot write nook's binary" {
  # The start child runs nook's code until it execs init. The container (root in it once, at any
  # earlier time) replaced /sbin/init with `#!/proc/self/exe` and put its own program at the
  # path of nook's ELF interpreter (/lib64/ld-linux-x86-64.so.2): exec of init runs
  # /proc/self/exe, the image the child runs from, with the container's interpreter inside it
  # (tests/security/fakeld.c). That code holds an O_PATH fd of the image and, once no host
  # process runs it any more (the monitor becomes nook-monitor), writes through it: the byte
  # already there, so the file stays the same, but it could have been anything, run as host
  # root by the next `nook`. A reboot inside the container restarts it the same way, so the
  # container can trigger this itself. What must block it: the start child running from a
  # sealed memfd copy, as attach does (src/cli/nook.c seal_if_needed: start and execute seal
  # always; the monitor's restart after a reboot execs that same sealed copy).
  # The target is a copy of nook, as in the test above.
  [[ -x $BATS_FILE_TMPDIR/fakeld ]] || skip "the fake interpreter is x86_64 only"
  local interp
  interp=$(readelf -l "$NOOK" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
  [[ -n $interp ]] || skip "nook is linked statically: no interpreter to take over"
  local target=$BATS_TEST_TMPDIR/nook-under-attack
  cp "$NOOK" "$target"
  local before
  before=$(sha256sum "$target" "$NOOK" | awk '{print $1}')
  local build=$NOOK
  NOOK=$target
  sec_container c1b
  local r
  r=$(rootfs c1b)
  rm -f "$r/sbin/init"
  printf '#!/proc/self/exe\n' > "$r/sbin/init"
  chmod 755 "$r/sbin/init"
  mkdir -p "$r$(dirname "$interp")"
  cp "$BATS_FILE_TMPDIR/fakeld" "$r$interp"
  nook start -P "$LP" -n c1b
  wait_for_text "$r/fakeld.log" 10 "wrote"
  cat "$r/fakeld.log"
  run grep -q "wrote nook's binary" "$r/fakeld.log"
  [ "$status" -ne 0 ]
  [ "$before" = "$(sha256sum "$target" "$build" | awk '{print $1}')" ]
}

# ---- 2 -------------------------------------------------------------------------------------

@test "CVE-2019-19921: a mount target that is a symlink out of the rootfs mounts inside it" {
  # rootfs/mnt/evil -> a host directory; lxc.mount.entry targets mnt/evil (tmpfs), a bind onto
  # another such link, one whose parent directory is a link to the host's /tmp, and a target
  # climbing with "..". What blocks it: src/run/resolve.c resolves every target inside the rootfs
  # (openat2 RESOLVE_IN_ROOT, or a user-space walk) and mounts on /proc/self/fd/N of the result
  # (src/run/mount_fstab.c), so each lands at the same path *inside* the rootfs.
  local ct cb cp cd src
  ct=$(mktemp -d /tmp/nook-escape-canary.XXXXXX)
  cb=$(mktemp -d /tmp/nook-escape-canary.XXXXXX)
  cp=$(mktemp -d /tmp/nook-escape-canary.XXXXXX)
  cd=$(mktemp -d /tmp/nook-escape-canary.XXXXXX)
  src=$(mktemp -d /tmp/nook-escape-src.XXXXXX)
  on_teardown "rm -rf --one-file-system '$ct' '$cb' '$cp' '$cd' '$src'"
  local d
  for d in "$ct" "$cb" "$cp" "$cd"; do echo untouched > "$d/canary"; done
  echo bound > "$src/marker"
  chmod 755 "$src"  # readable by an unprivileged container's root too
  sec_container c2 <<C
lxc.mount.entry = tmpfs mnt/evil tmpfs defaults 0 0
lxc.mount.entry = $src mnt/evil-bind none bind 0 0
lxc.mount.entry = tmpfs mnt/hosttmp/$(basename "$cp") tmpfs defaults 0 0
lxc.mount.entry = tmpfs mnt/../../../../../../../../..$cd tmpfs defaults 0 0
C
  local r
  r=$(rootfs c2)
  ln -s "$ct" "$r/mnt/evil"
  ln -s "$cb" "$r/mnt/evil-bind"
  ln -s /tmp "$r/mnt/hosttmp"
  # The same paths inside the rootfs, where the mounts must land.
  for d in "$ct" "$cb" "$cp" "$cd"; do mkdir -p "$r$d"; done
  run nook start -P "$LP" -n c2
  echo "$output"
  [ "$status" -eq 0 ]
  # The host: no mount on any canary, each canary file still visible and unchanged.
  run grep -F -e "$ct" -e "$cb" -e "$cp" -e "$cd" /proc/self/mountinfo
  [ "$status" -ne 0 ]
  for d in "$ct" "$cb" "$cp" "$cd"; do
    [ "$(cat "$d/canary")" = untouched ]
    [ "$(ls -A "$d")" = canary ]
  done
  # Inside: the four mounts are there, at the container's own paths.
  run in_ct c2 cat /proc/self/mountinfo
  for d in "$ct" "$cb" "$cp" "$cd"; do
    grep -q " $d " <<< "$output"
  done
  run in_ct c2 cat "$cb/marker"
  [ "$output" = bound ]
  [ -d "$r$ct" ] && [ ! -e "$r$ct/canary" ]
}

# ---- 3 -------------------------------------------------------------------------------------

@test "CVE-2024-21626, CVE-2016-9962: no host fd or host cwd reaches init or an attached process" {
  # What blocks it: close_range(3, ~0, CLOSE_RANGE_CLOEXEC) right before exec, in
  # src/run/start.c child_main and src/run/attach.c command_main; chdir inside the container
  # (lxc.init.cwd or /, attach: --cwd or /) before exec. (The window before exec is test 4's.)
  sec_container c3
  nook start -P "$LP" -n c3
  local f
  # init: only 0-2.
  run in_ct c3 ls /proc/1/fd
  echo "init fds: $output"
  for f in $output; do [ "$f" -le 2 ]; done
  # An attached shell: only its stdio (ls, a child, lists the shell's fds; ":" keeps the shell
  # from exec-ing its last command).
  run in_ct c3 sh -c 'ls /proc/$$/fd; :'
  echo "attached fds: $output"
  for f in $output; do [ "$f" -le 2 ]; done
  # Working directories: init's and an attach's made from the host's /etc are the container's /.
  run in_ct c3 readlink /proc/1/cwd
  [ "$output" = / ]
  local hostetc
  hostetc=$(stat -c %d:%i /etc)
  run bash -c "cd /etc && '$NOOK' attach -P '$LP' -n c3 -- sh -c 'readlink /proc/self/cwd; stat -c %d:%i .' < /dev/null"
  [ "${lines[0]}" = / ]
  [ "${lines[1]}" != "$hostetc" ]
  # Every fd of init and of an attached process: no way out through "..".
  # (Climbing from inside ends at the container's /; from anywhere else, at another directory.)
  run in_ct c3 sh -c 'root=$(stat -c %d:%i /)
    for f in /proc/1/fd/* /proc/$$/fd/* /proc/1/cwd /proc/$$/cwd /proc/1/root; do
      (cd "$f/../../../../../../../../.." 2>/dev/null && [ "$(stat -c %d:%i .)" != "$root" ] &&
        echo "ESCAPE via $f: $(ls)"); done; echo checked'
  echo "$output"
  [[ $output == *checked* ]]
  [[ $output != *ESCAPE* ]]
}

@test "CVE-2024-21626: a working directory of /proc/self/fd/N (lxc.init.cwd, attach --cwd) cannot reach the host" {
  # runc's exploit: the working directory is set to /proc/self/fd/N where N is an fd of the host
  # still open at chdir time (close-on-exec fds are open until exec), so the process starts in a
  # host directory and "../../.." walks the host's tree. The canary is a host file outside the
  # rootfs; from every fd number, enough ".." reach the host's / if the cwd is outside.
  # Blocked: the start child and the attach helper close every fd but their own first
  # (nk_close_fds_except), and a cwd outside the root is refused (nk_cwd_reachable).
  local canary
  canary=$(mktemp -d /tmp/nook-escape-canary.XXXXXX)
  on_teardown "rm -rf --one-file-system '$canary'"
  echo host-secret > "$canary/secret"
  local up=../../../../../../../../../../../..
  sec_container c3b
  local n
  for n in $(seq 3 24); do
    if nook start -P "$LP" -n c3b -s "lxc.init.cwd=/proc/self/fd/$n" -- /bin/sleep 100 2>/dev/null; then
      run in_ct c3b cat "/proc/1/cwd/$up$canary/secret"
      echo "init cwd fd $n: $output"
      [[ $output != *host-secret* ]]
      nook stop -P "$LP" -n c3b -k
    fi
  done
  nook start -P "$LP" -n c3b
  for n in $(seq 3 24); do
    run nook attach -P "$LP" -n c3b --cwd "/proc/self/fd/$n" -- cat "$up$canary/secret" < /dev/null
    echo "attach cwd fd $n: $output"
    [[ $output != *host-secret* ]]
  done
}

# ---- 4 -------------------------------------------------------------------------------------

@test "CVE-2016-8649: nothing of the host is reachable through an attach in progress (ptrace, /proc/PID/fd)" {
  # The attach helper stays in the host's pid namespace (invisible) and is not dumpable
  # (src/run/attach.c helper_main). Its child, the command, is forked into the container's pid
  # namespace and runs nook's code until it execs: the watcher stops it there and takes what it
  # can: its fds (each a way out if it is a directory of the host), its capabilities, ptrace.
  # A privileged container keeps CAP_SYS_PTRACE, which overrides non-dumpable: ptrace itself
  # succeeds; what must hold is that it yields nothing the container does not already have:
  # the helper limits its capabilities to the container's before it forks the command
  # (nk_caps_limit; only setuid, setgid and setpcap stay, to change identity).
  sec_container c4
  nook start -P "$LP" -n c4
  local r
  r=$(rootfs c4)
  in_ct c4 sh -c 'exewatch 3 > /tmp/exewatch.log 2>&1 &'
  wait_for_text "$r/tmp/exewatch.log" 5 "exewatch pid"
  # While an attach runs, nothing visible in the container runs nook's image.
  run in_ct c4 sh -c 'for p in /proc/[0-9]*; do echo "$(readlink $p/exe)"; done'
  [[ $output != *nook* ]]
  for _ in 1 2 3 4; do
    run nook attach -P "$LP" -n c4 -- /bin/echo still-attaching < /dev/null
    [ "$output" = still-attaching ]
  done
  wait_for_text "$r/tmp/exewatch.log" 10 SUMMARY
  cat "$r/tmp/exewatch.log"
  # The window before exec was caught at least once (else this proves nothing) ... but in a
  # user namespace it cannot be: the command is not dumpable and its memory belongs to the
  # host's user namespace, so /proc/PID/exe and ptrace are closed to the container's root.
  if [[ $SEC_MODE == privileged ]]; then
    grep -q 'SUMMARY nook_seen=[1-9]' "$r/tmp/exewatch.log"
  else
    grep -q 'SUMMARY .* ptrace_ok=0 vmread_ok=0 ' "$r/tmp/exewatch.log"
  fi
  # ... and held no host fd, no escape through one, no capability the container's bounding set lacks
  # (sys_module: bit 16, sys_time: bit 25).
  grep -q 'SUMMARY .* hostfd=0 escape_ok=0' "$r/tmp/exewatch.log"
  local bnd
  for bnd in $(awk '/CapBnd:/ {print $2}' "$r/tmp/exewatch.log"); do
    (( (0x$bnd >> 16 & 1) == 0 && (0x$bnd >> 25 & 1) == 0 ))
  done
  # The watcher is still in the container's cgroup on every hierarchy (seen from the host).
  local wpid ipid
  ipid=$(init_pid c4)
  wpid=$(host_pid_of c4 "$(awk '/exewatch pid/ {print $3}' "$r/tmp/exewatch.log")") || true
  if [[ -n $wpid ]]; then
    [ "$(host_cgroups "$wpid")" = "$(host_cgroups "$ipid")" ]
  fi
}

# ---- 5 -------------------------------------------------------------------------------------

@test "host kernel knobs: /proc/sys/kernel/core_pattern, /proc/sysrq-trigger, /sys/kernel/* are read-only (proc:mixed sys:mixed)" {
  # core_pattern "|prog" runs prog as host root on any crash; uevent_helper the same on any
  # uevent; sysrq-trigger reboots or crashes the host. What blocks it: lxc.mount.auto proc:mixed
  # and sys:mixed (src/run/mount_auto.c): /proc/sys, /proc/sysrq-trigger and /sys are read-only
  # binds (EROFS). core_pattern gets a new value (restored by teardown if the write went
  # through); every other file gets the value it already has (a harmless key for sysrq), so a
  # failure of the protection changes nothing on the host.
  local host_core
  host_core=$(cat /proc/sys/kernel/core_pattern)
  on_teardown "[ \"\$(cat /proc/sys/kernel/core_pattern)\" = '$host_core' ] || printf '%s\n' '$host_core' > /proc/sys/kernel/core_pattern"
  sec_container c5
  nook start -P "$LP" -n c5
  local files=(/proc/sys/kernel/core_pattern /proc/sys/kernel/modprobe /proc/sys/kernel/panic
    /proc/sys/vm/overcommit_memory /proc/sys/fs/file-max /proc/sysrq-trigger
    /sys/kernel/uevent_helper /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/ksm/run
    /sys/kernel/profiling /sys/kernel/rcu_expedited /sys/module/printk/parameters/time)
  local f v before=() tried=0
  for f in "${files[@]}"; do before+=("$(cat "$f" 2>/dev/null | head -1)"); done
  for f in "${files[@]}"; do
    [[ -e $f ]] || { echo "$f: not on this kernel"; continue; }
    case $f in
    */core_pattern) v="|/bin/sh -c 'touch /tmp/nook-escape-core-pwned'" ;;
    */sysrq-trigger) v=h ;; # help: prints to the kernel log, nothing else
    */enabled) v=$(grep -o '\[[a-z]*\]' "$f" | tr -d '[]') ;;
    *) v=$(head -1 "$f") ;;
    esac
    run in_ct c5 sh -c 'printf "%s\n" "$2" > "$1" && echo WRITTEN' _ "$f" "$v"
    echo "$f: $output"
    [[ $output != *WRITTEN* ]]
    [[ $output == *"Read-only file system"* || $output == *"Permission denied"* ]]
    tried=$((tried + 1))
  done
  [ "$tried" -ge 5 ]
  local i=0
  for f in "${files[@]}"; do
    [ "$(cat "$f" 2>/dev/null | head -1)" = "${before[$i]}" ]
    i=$((i + 1))
  done
  [ "$(cat /proc/sys/kernel/core_pattern)" = "$host_core" ]
}

@test "host information: /proc/kcore, keys, timer_list, sched_debug, acpi, /sys/firmware and powercap are masked" {
  # The OCI runtimes' maskedPaths: the host's keyrings by name, timer and scheduler traces of
  # every process, ACPI/EFI/DMI tables, RAPL energy counters (CVE-2020-8694 side channel).
  # What blocks it: proc:mixed and sys:mixed bind /dev/null over the files and an empty
  # read-only tmpfs over the directories (src/run/mount_auto.c mask_paths).
  sec_container c5m
  nook start -P "$LP" -n c5m
  local f
  for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats /proc/timer_stats; do
    [[ -e $f ]] || continue
    run in_ct c5m sh -c "head -c 4096 $f | wc -c"
    echo "$f: $output"
    [ "$output" = 0 ]
  done
  for f in /proc/acpi /proc/scsi /sys/firmware /sys/devices/virtual/powercap; do
    [[ -d $f ]] || continue
    run in_ct c5m sh -c "ls -A $f | wc -l; touch $f/x 2>/dev/null && echo WRITTEN"
    echo "$f: $output"
    [ "$output" = 0 ]
  done
}

@test "host kernel knobs: remounting /proc/sys or /sys read-write, or a fresh proc/sysfs mount, does not make them writable" {
  # The way around test 5: container root keeps CAP_SYS_ADMIN in the host's user namespace, so
  # it can remount the read-only binds, unmount them, or mount a new proc or sysfs instance,
  # and write core_pattern there.
  skip_if_privileged "not blocked yet: a privileged container keeps CAP_SYS_ADMIN in the initial user namespace; mount -o remount,bind,rw /proc/sys and mount -t proc proc /mnt succeed and core_pattern is writable; needs user namespaces (or an LSM mount policy such as AppArmor's lxc-container-default); seccomp cannot see mount's fstype string"
  local host_core
  host_core=$(cat /proc/sys/kernel/core_pattern)
  on_teardown "[ \"\$(cat /proc/sys/kernel/core_pattern)\" = '$host_core' ] || printf '%s\n' '$host_core' > /proc/sys/kernel/core_pattern"
  sec_container c5b
  nook start -P "$LP" -n c5b
  run in_ct c5b sh -c '
    v="|/bin/sh -c touch-nook-escape"
    mount -o remount,bind,rw /proc/sys && printf "%s\n" "$v" > /proc/sys/kernel/core_pattern && echo WRITTEN-remount
    umount -l /proc/sys && printf "%s\n" "$v" > /proc/sys/kernel/core_pattern && echo WRITTEN-umount
    mkdir -p /tmp/p && mount -t proc proc /tmp/p && printf "%s\n" "$v" > /tmp/p/sys/kernel/core_pattern && echo WRITTEN-newproc
    mkdir -p /tmp/s && mount -t sysfs sysfs /tmp/s && touch /tmp/s/kernel/profiling && echo WRITTEN-newsysfs
    echo done'
  echo "$output"
  [[ $output != *WRITTEN* ]]
  [ "$(cat /proc/sys/kernel/core_pattern)" = "$host_core" ]
}

# ---- 6 -------------------------------------------------------------------------------------

@test "mknod of the host's disk: refused by the devices cgroup, and not readable" {
  # What blocks it: the default device policy (src/run/start.c apply_default_devices: v1
  # devices.deny a, then only null zero full random urandom tty console ptmx pts fuse tun).
  # The host's root device (st_dev of /) and loop0 (which host root can open here; some hosts
  # refuse even host root on their root disk) are tried, in /tmp and on /dev.
  sec_container c6
  nook start -P "$LP" -n c6
  local rootdev
  rootdev=$(mountpoint -d /)
  local dev majmin
  for majmin in "$rootdev" 7:0; do
    for dev in /tmp/disk /dev/disk; do
      run in_ct c6 sh -c 'mknod "$1" b "$2" "$3" && echo MADE; head -c 512 "$1" | wc -c; rm -f "$1"' _ "$dev" "${majmin%:*}" "${majmin#*:}"
      echo "$majmin at $dev: $output"
      [[ $output != *MADE* ]]
      [[ $output == *"Operation not permitted"* ]]
    done
  done
}

@test "mknod of the host's disk: the container cannot re-grant itself devices (devices.allow, fresh devices mount)" {
  # The way around test 6: in the container's cgroup namespace /sys/fs/cgroup/devices is the
  # root of what the container sees. It is mounted read-only, but CAP_SYS_ADMIN remounts it, or
  # mounts the devices hierarchy afresh, and writes devices.allow. What blocks it: the rules
  # sit on nook.payload/<ct> and init runs in its child ns/, the cgroup namespace's root
  # (src/run/container.c nk_container_init_cgroup_name): v1 never lets a child allow what its
  # parent denies.

  sec_container c6b
  nook start -P "$LP" -n c6b
  run in_ct c6b sh -c '
    mount -o remount,bind,rw /sys/fs/cgroup/devices 2>/dev/null; echo a > /sys/fs/cgroup/devices/devices.allow 2>/dev/null
    mkdir -p /tmp/d; mount -t cgroup -o devices none /tmp/d 2>/dev/null; echo "b 7:0 rwm" > /tmp/d/devices.allow 2>/dev/null
    mknod /tmp/disk b 7 0 && echo MADE; head -c 1 /tmp/disk > /dev/null && echo OPENED; rm -f /tmp/disk; echo done'
  echo "$output"
  [[ $output != *MADE* && $output != *OPENED* ]]
}

# ---- 7 -------------------------------------------------------------------------------------

@test "kernel modules: init_module/finit_module/delete_module fail (lxc.cap.drop sys_module, seccomp)" {
  # What blocks it: the template's lxc.cap.drop includes sys_module (src/run/caps.c takes it out
  # of the bounding set) and the default seccomp profile (config/seccomp/common.seccomp, loaded
  # by src/run/seccomp.c) denies the calls with EPERM. The .ko is a real module from
  # /lib/modules when the host has one; the calls never load anything (no privilege: EPERM).
  sec_container c7
  nook start -P "$LP" -n c7
  local ko
  ko=$(find /lib/modules -name '*.ko' -size -200k 2>/dev/null | head -1)
  [[ -n $ko ]] && cp "$ko" "$(rootfs c7)/tmp/module.ko"
  run in_ct c7 sh -c 'grep -E "^Cap(Eff|Bnd)" /proc/1/status /proc/self/status'
  local m
  for m in $(awk '{print $2}' <<< "$output"); do (( (0x$m >> 16 & 1) == 0 )); done
  run in_ct c7 kmod ${ko:+/tmp/module.ko}
  echo "$output"
  [ "$status" -eq 0 ] # every call: EPERM
  if [[ -n $ko ]]; then
    run in_ct c7 busybox insmod /tmp/module.ko
    [ "$status" -ne 0 ]
  fi
  [ -z "$(grep -w "$(basename "${ko:-none}" .ko)" /proc/modules 2>/dev/null)" ]
}

@test "kernel modules: with sys_module NOT dropped, seccomp still refuses init_module/finit_module/delete_module" {
  # lxc.cap.drop without sys_module: the capability stays, only the seccomp profile
  # (config/seccomp/common.seccomp: init_module finit_module delete_module errno 1) is left.
  # EPERM is required even where the kernel has no module support (it would say ENOSYS):
  # seccomp filters before the kernel looks the call up.
  sec_container c7b
  nook config set -P "$LP" -n c7b lxc.cap.drop "mac_admin mac_override sys_time"
  nook start -P "$LP" -n c7b
  run in_ct c7b grep CapBnd /proc/self/status
  (( ($(awk '{print "0x"$2}' <<< "$output") >> 16 & 1) == 1 ))
  run in_ct c7b kmod
  echo "$output"
  [[ $output == *"init_module=EPERM"* ]]
  [[ $output == *"finit_module=EPERM"* ]]
  [[ $output == *"delete_module=EPERM"* ]]
}

# ---- 8 -------------------------------------------------------------------------------------

@test "kexec_load and kexec_file_load fail with the default config (seccomp)" {
  # A privileged container keeps CAP_SYS_BOOT: only the default seccomp profile (kexec_load,
  # kexec_file_load errno 1) stands between it and booting a kernel of its choice. The calls
  # are crafted to fail with EINVAL right after the privilege check, so nothing is ever loaded.
  sec_container c8
  nook start -P "$LP" -n c8
  run in_ct c8 kmod
  echo "$output"
  [[ $output == *"kexec_load=EPERM"* ]]
  [[ $output == *"kexec_file_load=EPERM"* ]]
}

@test "shocker: open_by_handle_at cannot open the host's file system root and read a host file" {
  # The 2014 Docker escape: a handle for the root inode of the file system holding the rootfs
  # (ext4: inode 2, generation 0) opens the host's /, from which the host canary is read. The
  # container keeps CAP_DAC_READ_SEARCH; what blocks it: the default seccomp profile
  # (open_by_handle_at errno 1; config/seccomp/common.seccomp, src/run/seccomp.c).
  local canary rel
  canary=$(mktemp -d /tmp/nook-escape-canary.XXXXXX)
  on_teardown "rm -rf --one-file-system '$canary'"
  echo "host-secret-$RANDOM" > "$canary/secret"
  sec_container c8b
  nook start -P "$LP" -n c8b
  # The path of the canary from the root of the file system the rootfs is on.
  local fsroot
  fsroot=$(stat -c %m "$(rootfs c8b)")
  [ "$(stat -c %m "$canary")" = "$fsroot" ] || skip "the canary is not on the rootfs' file system"
  rel=${canary#"${fsroot%/}"/}/secret
  run in_ct c8b shocker /bin/busybox "$rel"
  echo "$output"
  [ "$status" -ne 0 ]
  [[ $output != *host-secret* ]]
  [[ $output == *"open_by_handle_at(root)=EPERM"* ]]
}

# ---- 9 -------------------------------------------------------------------------------------

@test "TIOCSTI through nook console: injection lands in the container's own console, never the host's terminal" {
  # The console is a pty of the container's own devpts (src/run/dev.c nk_dev_ptys); nook console
  # proxies it, so bytes pushed with TIOCSTI are read by the container's console shell. The host
  # shell that ran nook console reads its terminal afterwards: it must find nothing.
  sec_container c9
  # This barrier alone: the default seccomp profile would refuse TIOCSTI outright (own test).
  nook config set -P "$LP" -n c9 lxc.seccomp.profile /dev/null
  nook start -P "$LP" -n c9
  # Without the console as its controlling terminal, TIOCSTI needs CAP_SYS_ADMIN in the host's
  # user namespace: an unprivileged container's root is refused even on its own console.
  local want=INJ-42
  [[ $SEC_MODE == privileged ]] || want=TIOCSTI=EPERM
  run tty_session 25 'expect:Connected to tty' 'send:\r' 'expect:# ' \
    "send:tiocsti 'echo INJ-\$((6*7))'\\r" "expect:$want" 'send:\x01q' -- \
    "$NOOK" console -P "$LP" -n c9 -t 0
  echo "$output"
  [ "$status" -eq 0 ]
  if [[ $SEC_MODE == privileged ]]; then
    [[ $output == *"TIOCSTI=OK"* ]]  # it worked, on the container's console
  else
    [[ $output != *"TIOCSTI=OK"* ]]
  fi
  [ "$(hostread)" = "HOSTREAD[]" ]
}

@test "TIOCSTI through nook attach with a pty: injection lands in the container's pty, now and after the attach" {
  # stdin is a terminal, so attach gives the command a pty of the container's devpts
  # (src/run/attach.c open_pty) and proxies it (src/cli/attach.c). The command injects and reads
  # its own injection back (it works, inside); a child it leaves behind injects again after the
  # attach has returned to the host shell.
  sec_container c9b
  nook config set -P "$LP" -n c9b lxc.seccomp.profile /dev/null  # the pty barrier alone
  nook start -P "$LP" -n c9b
  run tty_session 20 -- "$NOOK" attach -P "$LP" -n c9b -- sh -c \
    "tiocsti 'echo INJ-\$((6*7))'; read -r l; eval \"\$l\"; tiocsti 'echo pwned-host' 500 /tmp/late.log"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *INJ-42* ]]
  [ "$(hostread)" = "HOSTREAD[]" ]
  wait_for_text "$(rootfs c9b)/tmp/late.log" 5 fd2
  cat "$(rootfs c9b)/tmp/late.log"
  run grep -q 'tty ?' "$(rootfs c9b)/tmp/late.log" # never a terminal the container cannot name
  [ "$status" -ne 0 ]
}

@test "TIOCSTI through nook attach without a pty (stdio pipes): no terminal, ENOTTY" {
  # stdin, stdout and stderr are pipes: attach passes them through and the command has no
  # controlling terminal (it takes a new session, src/run/attach.c command_main).
  sec_container c9c
  nook config set -P "$LP" -n c9c lxc.seccomp.profile /dev/null  # the session barrier alone
  nook start -P "$LP" -n c9c
  run tty_session 20 -- bash -c "echo | '$NOOK' attach -P '$LP' -n c9c -- tiocsti 'echo pwned-host' 2>&1 | cat"
  echo "$output"
  [[ $output == *"controlling terminal: none"* ]]
  [[ $output == *"fd0: not a tty; TIOCSTI=ENOTTY"* ]]
  [[ $output != *"TIOCSTI=OK"* ]]
  [ "$(hostread)" = "HOSTREAD[]" ]
}

@test "TIOCSTI through nook attach without a pty but the host's terminal on stdout or --no-pty (CVE-2016-10124 class)" {
  # `echo cmd | nook attach -n web -- sh` typed at a terminal: stdin is a pipe, so no pty is
  # allocated, and stdout/stderr are the host's terminal itself, passed into the container.
  # Container root holds CAP_SYS_ADMIN, which lets TIOCSTI push bytes into any terminal it has
  # an fd of: the host shell then runs them after the attach returns. Same with --no-pty.
  # Blocked twice: attach allocates a pty whenever any of fds 0-2 is a terminal
  # (src/cli/attach.c), and the default seccomp profile denies ioctl(TIOCSTI) and TIOCLINUX
  # (config/seccomp/common.seccomp), which also covers --no-pty.
  sec_container c9d
  nook start -P "$LP" -n c9d
  run tty_session 20 -- bash -c "echo | '$NOOK' attach -P '$LP' -n c9d -- tiocsti 'echo pwned-host'"
  echo "$output"
  [ "$(hostread)" = "HOSTREAD[]" ]
  run tty_session 20 -- "$NOOK" attach --no-pty -P "$LP" -n c9d -- tiocsti 'echo pwned-host'
  echo "$output"
  [[ $output == *"TIOCSTI=EPERM"* || $output == *"TIOCSTI=ENOTTY"* ]]
  [ "$(hostread)" = "HOSTREAD[]" ]
}

# ---- 10 ------------------------------------------------------------------------------------

@test "CVE-2022-29162: file capabilities and inheritable sets cannot bring back a dropped capability" {
  # A binary given every capability with security.capability (VFS_CAP_REVISION_2, permitted +
  # inheritable + effective: setcap all+eip) and exec'd by root, in init and through attach:
  # what blocks it: src/run/caps.c nk_caps_apply drops sys_module, sys_time... from the bounding
  # set (exec grants only fP & bounding) and empties the inheritable set (so pI & fI is empty).
  sec_container c10
  nook start -P "$LP" -n c10
  # all+eip: the kernel refuses to run a capability-dumb binary with fewer capabilities than its
  # file grants (EPERM at exec): the bounding set is what took them away.
  run in_ct c10 sh -c 'cp /usr/local/bin/capraise /tmp/eip && capraise grant /tmp/eip && /tmp/eip show'
  echo "$output"
  [[ $output == *"setxattr(security.capability)=OK"* ]]
  if [[ $output == *CapPrm* ]]; then
    local p
    p=$(awk '/^CapPrm/ {print $2}' <<< "$output")
    (( (0x$p >> 16 & 1) == 0 && (0x$p >> 25 & 1) == 0 ))
  else
    [[ $output == *"/tmp/eip: Operation not permitted"* ]]
  fi
  # all+ip: it runs, with what the file grants through the bounding set and the (empty)
  # inheritable set.
  run in_ct c10 sh -c 'cp /usr/local/bin/capraise /tmp/ip && capraise grant-ip /tmp/ip && /tmp/ip show'
  echo "$output"
  local prm inh amb
  prm=$(awk '/^CapPrm/ {print $2}' <<< "$output")
  inh=$(awk '/^CapInh/ {print $2}' <<< "$output")
  amb=$(awk '/^CapAmb/ {print $2}' <<< "$output")
  [ -n "$prm" ]
  # the file caps were honoured (CAP_SYS_ADMIN, bit 21, kept by the container) ...
  (( (0x$prm >> 21 & 1) == 1 ))
  # ... but nothing the container dropped: sys_module 16, sys_time 25, mac_override 32, mac_admin 33
  (( (0x$prm >> 16 & 1) == 0 && (0x$prm >> 25 & 1) == 0 && (0x$prm >> 32 & 1) == 0 && (0x$prm >> 33 & 1) == 0 ))
  [ "$inh" = 0000000000000000 ]
  [ "$amb" = 0000000000000000 ]
  run in_ct c10 grep CapInh /proc/1/status
  [[ $output == *0000000000000000 ]]
  # A running process cannot raise them either (capset, ambient).
  run in_ct c10 capraise raise
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output != *=OK* ]]
}

# ---- 11 ------------------------------------------------------------------------------------

@test "cgroup escape: writing a parent's cgroup.procs or a fresh cgroup mount keeps the process in its cgroup (CVE-2022-0492 too)" {
  # What blocks it: the cgroup namespace (src/run/start.c unshares it inside the container's
  # cgroup) and cgroup:mixed (src/run/mount_cgroup.c: the tmpfs at /sys/fs/cgroup read-only,
  # each hierarchy mounted from inside the namespace): the container's cgroup is the root of
  # every hierarchy it can see or mount; new v1 hierarchies (where release_agent would be,
  # CVE-2022-0492) can only be created in the initial cgroup namespace.
  sec_container c11
  nook start -P "$LP" -n c11
  local r
  r=$(rootfs c11)
  # A script file, so that $$ is the attacking process itself (exec keeps it for the host's look).
  cat > "$r/tmp/cgattack.sh" <<'SH'
for c in /sys/fs/cgroup/*/; do
  for t in "$c../cgroup.procs" "$c../../cgroup.procs" "${c}cgroup.procs"; do
    echo $$ > "$t" 2>/dev/null && echo "wrote $t" || echo "refused $t"
  done
done
mkdir -p /tmp/cg2 && mount -t cgroup2 none /tmp/cg2 && echo $$ > /tmp/cg2/cgroup.procs && echo "wrote fresh cgroup2 root"
for c in $(awk '!/^#/ {print $1}' /proc/cgroups); do
  mkdir -p /tmp/v1-$c
  if mount -t cgroup -o $c none /tmp/v1-$c 2>/dev/null; then
    echo $$ > /tmp/v1-$c/cgroup.procs && echo "wrote fresh $c root"
  else
    echo "no fresh $c mount"
  fi
done
mkdir -p /tmp/named && mount -t cgroup -o none,name=nookescape none /tmp/named 2>/dev/null && echo "MOUNTED new named hierarchy"
for f in /tmp/cg2 /tmp/v1-* /tmp/named /sys/fs/cgroup/*; do
  [ -e "$f/release_agent" ] && echo "RELEASE_AGENT at $f"
done
echo $$ > /tmp/attacker.pid
echo attack-done
exec sleep 30
SH
  in_ct c11 sh -c 'sh /tmp/cgattack.sh > /tmp/cg.log 2>&1 &'
  wait_for_text "$r/tmp/cg.log" 10 attack-done
  cat "$r/tmp/cg.log"
  run grep -q "MOUNTED new named hierarchy\|RELEASE_AGENT" "$r/tmp/cg.log"
  [ "$status" -ne 0 ]
  local apid ipid
  ipid=$(init_pid c11)
  apid=$(host_pid_of c11 "$(cat "$r/tmp/attacker.pid")")
  [ -n "$apid" ]
  echo "host view of the attacker:"; cat "/proc/$apid/cgroup"
  [ "$(host_cgroups "$apid")" = "$(host_cgroups "$ipid")" ]
  grep -q nook.payload "/proc/$apid/cgroup"
}

@test "cgroup escape: limits set by the host cannot be raised from inside (pids.max)" {
  # cgroup:mixed mounts the container's cgroup read-write: container root writes its pids.max
  # back to "max". What blocks it: that is the child ns/ where init runs; the limits from
  # lxc.cgroup.* sit on its parent, which the container cannot see.

  local key=lxc.cgroup2.pids.max
  [[ -d /sys/fs/cgroup/pids ]] && key=lxc.cgroup.pids.max # v1 or hybrid host
  echo "$key = 100" | sec_container c11b
  nook start -P "$LP" -n c11b
  in_ct c11b sh -c 'for f in /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/unified/pids.max /sys/fs/cgroup/pids.max; do [ -e $f ] && echo max > $f; done; true'
  run nook cgroup -P "$LP" -n c11b pids.max
  [ "$output" = 100 ]
}

# ---- 12 ------------------------------------------------------------------------------------

@test "abstract unix sockets of the host are unreachable from a container with its own network namespace" {
  # Abstract socket names live in the network namespace (CVE-2020-15257, containerd-shim, was
  # this with a shared one). What blocks it: the container gets its own network namespace
  # (src/run/start.c clone_flags, CLONE_NEWNET).
  local name=nook-escape-test-$RANDOM$RANDOM ready=$BATS_TEST_TMPDIR/listening
  python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0" + sys.argv[1])
s.listen(8)
open(sys.argv[2], "w").write("ready")
time.sleep(60)' "$name" "$ready" 3>&- &
  local lpid=$!
  on_teardown "kill $lpid 2>/dev/null; wait $lpid 2>/dev/null"
  wait_for_text "$ready" 5 ready
  # Control: the host reaches it.
  run "$BATS_FILE_TMPDIR/bin/uconnect" "$name"
  [[ $output == *"connect(stream)=OK"* ]]
  sec_container c12
  nook start -P "$LP" -n c12
  run in_ct c12 uconnect "$name"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ $output == *"connect(stream)=ECONNREFUSED"* ]]
}

# ---- the suite itself -------------------------------------------------------------------------

@test "the escape suite leaves nothing behind: containers, canaries, mounts, processes, host values" {
  run pgrep -fa 'exewatch|nook-escape-test-|fakeld'
  echo "$output"
  [ "$status" -ne 0 ]
  run sh -c 'ls -d /tmp/nook-escape-canary.* /tmp/nook-escape-src.* /tmp/nook-escape-core-pwned 2>/dev/null'
  [ -z "$output" ]
  run grep -E '/tmp/nook-escape-|/tmp/nook-test\.[^/]*/c[0-9]+[a-z]?/' /proc/self/mountinfo
  [ "$status" -ne 0 ]
  run find /sys/fs/cgroup -maxdepth 4 -type d -path '*nook.payload*' -regex '.*-c[0-9]+[a-z]?$'
  [ -z "$output" ]
  run grep -c nook-escape /proc/sys/kernel/core_pattern
  [ "$output" = 0 ]
}
