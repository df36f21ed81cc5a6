#!/usr/bin/env bats
# The runtime: start, attach, console, stop, info, wait, freeze with real busybox containers.
load helpers
bats_require_minimum_version 1.5.0

setup() { setup_lxcpath; }
teardown() { stop_all; ip link del nkt-shbr 2>/dev/null || true; teardown_lxcpath; }

@test "start -d returns RUNNING; info shows the PID; stop -k leaves nothing" {
  make_busybox r1
  run nook start -P "$LP" -n r1
  [ "$status" -eq 0 ]
  run nook info -P "$LP" -n r1
  [[ $output == *"State:"*RUNNING* ]]
  [[ $output == *"PID:"* ]]
  pid=$(nook info -P "$LP" -n r1 -p | awk '{print $2}')
  [ -d /proc/$pid ]
  run nook stop -P "$LP" -n r1 -k
  [ "$status" -eq 0 ]
  run nook info -P "$LP" -n r1 -s
  [[ $output == *STOPPED ]]
  [ ! -d /proc/$pid ]
  [ -z "$(leftovers r1)" ]
}

@test "the monitor carries its title and is small" {
  make_busybox r2
  nook start -P "$LP" -n r2
  mpid=$(pgrep -f "^\[nook monitor\] $LP r2\$")
  [ -n "$mpid" ]
  rss=$(awk '/VmRSS/ {print $2}' /proc/$mpid/status)
  echo "# monitor RSS: ${rss} kB" >&3
  [ "$rss" -gt 0 ]
}

@test "attach runs a command inside with its exit code, hostname and pid namespace" {
  make_busybox r3
  nook start -P "$LP" -n r3
  run nook attach -P "$LP" -n r3 -- hostname
  [ "$status" -eq 0 ]
  [ "$output" = "r3" ]
  run nook attach -P "$LP" -n r3 -- sh -c 'exit 7'
  [ "$status" -eq 7 ]
  run nook attach -P "$LP" -n r3 -- sh -c 'cat /proc/1/comm; echo $$'
  [ "${lines[0]}" = "init" ]
  [ "${lines[1]}" -gt 1 ]
  run -127 nook attach -P "$LP" -n r3 -- /no/such/thing
  [ "$status" -eq 127 ]
}

@test "attach passes stdin through and sets variables; --clear-env clears" {
  make_busybox r4
  nook start -P "$LP" -n r4
  run bash -c "echo piped | '$NOOK' attach -P '$LP' -n r4 -- cat"
  [ "$output" = "piped" ]
  run nook attach -P "$LP" -n r4 -v FOO=bar -- sh -c 'echo $FOO'
  [ "$output" = "bar" ]
  HOSTVAR=leak run nook attach -P "$LP" -n r4 --clear-env -- sh -c 'echo "[$HOSTVAR]"'
  [ "$output" = "[]" ]
  run nook attach -P "$LP" -n r4 -u 1000 -g 1000 -- sh -c 'id -u; id -g'
  [ "${lines[0]}" = "1000" ]
  [ "${lines[1]}" = "1000" ]
}

@test "attach -s NETWORK shares only the network namespace" {
  make_busybox r5
  nook start -P "$LP" -n r5
  run nook attach -P "$LP" -n r5 -s NETWORK -- /bin/hostname
  [ "$output" = "$(hostname)" ]
  # The host's mount namespace but the container's network: /proc/net shows only loopback.
  run nook attach -P "$LP" -n r5 -s NETWORK -- /bin/sh -c "awk -F: 'NR > 2 {print \$1}' /proc/net/dev"
  [ "$(echo $output)" = "lo" ]
}

@test "inside: hostname, mounts, a new devpts, ttys, no host fds in init" {
  make_busybox r6
  nook start -P "$LP" -n r6
  run nook attach -P "$LP" -n r6 -- sh -c 'grep -c " / /proc " /proc/self/mountinfo'
  [ "$output" -ge 1 ]
  run nook attach -P "$LP" -n r6 -- ls /dev/tty1 /dev/tty4 /dev/console /dev/pts/ptmx /dev/null
  [ "$status" -eq 0 ]
  run nook attach -P "$LP" -n r6 -- ls /dev/tty5
  [ "$status" -ne 0 ]
  run nook attach -P "$LP" -n r6 -- ls /proc/1/fd
  for fd in $output; do [ "$fd" -le 2 ]; done
  host_pts=$(stat -c %d /dev/pts)
  run nook attach -P "$LP" -n r6 -- stat -c %d /dev/pts
  [ "$output" != "$host_pts" ]
}

@test "capabilities: the config's drop list is gone from init's bounding set" {
  make_busybox r7 <<'C'
lxc.cap.drop = sys_module sys_time
C
  nook start -P "$LP" -n r7
  run nook attach -P "$LP" -n r7 -- sh -c 'grep CapBnd /proc/1/status'
  bnd=$(echo "$output" | awk '{print $2}')
  # CAP_SYS_MODULE is 16, CAP_SYS_TIME is 25
  (( (0x$bnd >> 16 & 1) == 0 ))
  (( (0x$bnd >> 25 & 1) == 0 ))
  run nook attach -P "$LP" -n r7 -- sh -c 'grep CapInh /proc/1/status'
  [[ $output == *0000000000000000 ]]
}

@test "lxc.cgroup limits are applied and the cgroup goes away after stop" {
  make_busybox r8 <<'C'
lxc.cgroup.memory.limit_in_bytes = 64M
lxc.cgroup.pids.max = 100
C
  nook start -P "$LP" -n r8
  run nook cgroup -P "$LP" -n r8 memory.limit_in_bytes
  [ "$output" = "67108864" ]
  run nook cgroup -P "$LP" -n r8 pids.max
  [ "$output" = "100" ]
  nook stop -P "$LP" -n r8 -k
  [ -z "$(leftovers r8)" ]
}

@test "console -t 1 shows getty's login prompt; Ctrl+a q detaches" {
  make_busybox r9
  nook start -P "$LP" -n r9
  run python3 "$BATS_TEST_DIRNAME/console.py" "login:" -- "$NOOK" console -P "$LP" -n r9 -t 1
  echo "$output"
  [ "$status" -eq 0 ]
  [[ $output == *"Connected to tty 1"* ]]
}

@test "console -t 0 reaches the console shell; -e changes the escape key" {
  make_busybox r10
  nook start -P "$LP" -n r10
  run python3 "$BATS_TEST_DIRNAME/console.py" "#" --send $'echo hello-$((6*7))\n' --expect2 "hello-42" \
    --escape b -- "$NOOK" console -P "$LP" -n r10 -t 0 -e b
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "a busy tty is refused with a clear message" {
  make_busybox r11
  nook start -P "$LP" -n r11
  python3 - "$NOOK" "$LP" <<'PY' &
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "console", "-P", sys.argv[2], "-n", "r11", "-t", "2"])
time.sleep(3)
os.write(fd, b"\x01q")
os.waitpid(pid, 0)
PY
  sleep 1
  run nook console -P "$LP" -n r11 -t 2
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"tty 2 of r11 is in use"* ]]
  wait
}

@test "stop sends the halt signal and busybox init shuts down cleanly" {
  make_busybox r12
  nook start -P "$LP" -n r12
  run nook stop -P "$LP" -n r12 -t 20
  [ "$status" -eq 0 ]
  [ "$(nook info -P "$LP" -n r12 -s | awk '{print $2}')" = STOPPED ]
  [ -z "$(leftovers r12)" ]
}

@test "a reboot inside the container restarts it" {
  make_busybox r13
  nook start -P "$LP" -n r13
  pid1=$(nook info -P "$LP" -n r13 -p | awk '{print $2}')
  nook attach -P "$LP" -n r13 -- reboot -f || true
  for _ in $(seq 50); do
    pid2=$(nook info -P "$LP" -n r13 -p | awk '{print $2}')
    [[ -n $pid2 && $pid2 != "$pid1" ]] && break
    sleep 0.2
  done
  [ -n "$pid2" ]
  [ "$pid2" != "$pid1" ]
  [[ $(nook info -P "$LP" -n r13 -s) == *RUNNING ]]
}

@test "poweroff inside the container stops it and cleans up" {
  make_busybox r14
  nook start -P "$LP" -n r14
  nook attach -P "$LP" -n r14 -- poweroff -f || true
  run nook wait -P "$LP" -n r14 -s STOPPED -t 10
  [ "$status" -eq 0 ]
  [ -z "$(leftovers r14)" ]
}

@test "wait -s RUNNING returns when another shell starts it; -t times out" {
  make_busybox r15
  run nook wait -P "$LP" -n r15 -s RUNNING -t 1
  [ "$status" -eq 1 ]
  ( sleep 1; "$NOOK" start -P "$LP" -n r15 ) &
  run nook wait -P "$LP" -n r15 -s RUNNING -t 10
  [ "$status" -eq 0 ]
  wait
}

@test "freeze stops every process; unfreeze resumes" {
  make_busybox r16
  nook start -P "$LP" -n r16
  nook freeze -P "$LP" -n r16
  [[ $(nook info -P "$LP" -n r16 -s) == *FROZEN ]]
  pid=$(nook info -P "$LP" -n r16 -p | awk '{print $2}')
  grep -q "^State:.*(stopped)\|^State:.*D\|^State:.*S" /proc/$pid/status
  nook unfreeze -P "$LP" -n r16
  [[ $(nook info -P "$LP" -n r16 -s) == *RUNNING ]]
  run nook attach -P "$LP" -n r16 -- true
  [ "$status" -eq 0 ]
}

@test "console-log returns what the console printed" {
  make_busybox r17
  nook start -P "$LP" -n r17
  nook attach -P "$LP" -n r17 -- sh -c 'echo marker-on-console > /dev/console'
  sleep 0.5
  run nook console-log -P "$LP" -n r17
  [[ $output == *marker-on-console* ]]
}

@test "execute runs a command under nook-init and returns its status" {
  make_busybox r18
  run nook execute -P "$LP" -n r18 -- /bin/sh -c 'echo pid=$$; exit 3'
  [ "$status" -eq 3 ]
  [ "$output" = "pid=2" ]
  [ -z "$(leftovers r18)" ]
}

@test "start of a running container is refused; two starts at once: one wins" {
  make_busybox r19
  nook start -P "$LP" -n r19
  run nook start -P "$LP" -n r19
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"already running"* ]]
  nook stop -P "$LP" -n r19 -k
  "$NOOK" start -P "$LP" -n r19 & p1=$!
  "$NOOK" start -P "$LP" -n r19 & p2=$!
  s1=0; s2=0; wait $p1 || s1=$?; wait $p2 || s2=$?
  [ $((s1 == 0 ? 1 : 0)) -ne $((s2 == 0 ? 1 : 0)) ]
  [ "$(pgrep -fc "nook monitor\] $LP r19\$")" -eq 1 ]
}

@test "a failed start says why in one line and leaves nothing; info keeps the reason" {
  make_busybox r20
  nook config set -P "$LP" -n r20 lxc.init.cmd /no/such/init
  run nook start -P "$LP" -n r20
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"/no/such/init"* ]]
  [ -z "$(leftovers r20)" ]
  run nook info -P "$LP" -n r20
  [[ $output == *"Reason:"*"/no/such/init"* ]]
}

@test "a bad cgroup key fails the start before init runs, leaving nothing" {
  make_busybox r21 <<'C'
lxc.cgroup.memory.no_such_file = 1
C
  run nook start -P "$LP" -n r21
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"memory.no_such_file"* ]]
  [ -z "$(leftovers r21)" ]
}

@test "killing the monitor: info says so and stop cleans up" {
  make_busybox r22
  nook start -P "$LP" -n r22
  mpid=$(pgrep -f "^\[nook monitor\] $LP r22\$")
  kill -9 "$mpid"
  sleep 0.5
  run nook info -P "$LP" -n r22
  [[ $output == *STOPPED* ]]
  [[ $output == *"monitor died"* ]]
  nook stop -P "$LP" -n r22 || true
  [ -z "$(leftovers r22)" ]
  run nook start -P "$LP" -n r22
  [ "$status" -eq 0 ]
}

@test "killing init stops the container and cleans up" {
  make_busybox r23
  nook start -P "$LP" -n r23
  pid=$(nook info -P "$LP" -n r23 -p | awk '{print $2}')
  kill -9 "$pid"
  run nook wait -P "$LP" -n r23 -s STOPPED -t 10
  [ "$status" -eq 0 ]
  [ -z "$(leftovers r23)" ]
}

@test "a client dying mid-command does not hurt the monitor" {
  make_busybox r24
  nook start -P "$LP" -n r24
  sock=$(ls /run/nook/*/r24/command | head -1)
  python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.send(b'NO'); s.close()" "$sock"
  run nook attach -P "$LP" -n r24 -- true
  [ "$status" -eq 0 ]
}

@test "start -F runs in the foreground and returns when init ends" {
  make_busybox r25
  run timeout 20 "$NOOK" start -P "$LP" -n r25 -F -- /bin/sh -c 'echo fg-ok; exit 0' </dev/null
  [ "$status" -eq 0 ]
  [[ $output == *fg-ok* ]]
}

@test "-s KEY=VAL overrides a config key for one run" {
  make_busybox r26
  # (not the host name: busybox's rcS sets it again from /etc/hostname)
  nook start -P "$LP" -n r26 -s lxc.environment=ONE_RUN=yes -s "lxc.cgroup.pids.max = 77"
  run nook attach -P "$LP" -n r26 -- sh -c 'tr "\0" "\n" < /proc/1/environ | grep ONE_RUN'
  [ "$output" = "ONE_RUN=yes" ]
  run nook cgroup -P "$LP" -n r26 pids.max
  [ "$output" = "77" ]
  ! grep -q ONE_RUN "$LP/r26/config"
}

@test "lxc-* names: lxc-start, lxc-attach, lxc-info, lxc-stop" {
  make_busybox r27
  ls_=$(lxc_link lxc-start); la=$(lxc_link lxc-attach); li=$(lxc_link lxc-info); lt=$(lxc_link lxc-stop)
  "$ls_" -P "$LP" -n r27 -d
  run "$la" -P "$LP" -n r27 -- hostname
  [ "$output" = "r27" ]
  run "$li" -P "$LP" -n r27 -s
  [[ $output == "State:"*RUNNING ]]
  "$lt" -P "$LP" -n r27 -k
  run "$lt" -P "$LP" -n r27
  [ "$status" -eq 2 ]
}

@test "hooks run at their points with LXC's arguments and variables" {
  make_busybox h1
  log=$LP/hooks.log
  for h in pre-start pre-mount mount autodev start-host stop post-stop destroy; do
    nook config set -P "$LP" -n h1 lxc.hook.$h "/bin/sh -c 'echo $h \$0 \$1 \$2 \$LXC_NAME \$LXC_HOOK_TYPE \$NOOK_NAME >> $log'"
  done
  nook start -P "$LP" -n h1
  nook stop -P "$LP" -n h1 -k
  nook destroy -P "$LP" -n h1
  cat "$log"
  for h in pre-start pre-mount mount autodev start-host stop post-stop destroy; do
    grep -q "^$h h1 lxc $h h1 $h h1" "$log"
  done
  # in order
  [ "$(awk '{print $1}' "$log" | tr '\n' ' ')" = "pre-start pre-mount mount autodev start-host stop post-stop destroy " ]
}

@test "the start hook runs inside the container before init" {
  make_busybox h2
  nook config set -P "$LP" -n h2 lxc.hook.start "/bin/sh -c 'hostname > /tmp/start-hook-ran'"
  nook start -P "$LP" -n h2
  run nook attach -P "$LP" -n h2 -- cat /tmp/start-hook-ran
  [ "$output" = "h2" ]
}

@test "a failing pre-start hook fails the start in one line and leaves nothing" {
  make_busybox h3
  nook config set -P "$LP" -n h3 lxc.hook.pre-start "/bin/false"
  run nook start -P "$LP" -n h3
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"lxc.hook.pre-start /bin/false"*"exit status 1"* ]]
  [ -z "$(leftovers h3)" ]
}

@test "a failing mount hook inside the start leaves nothing" {
  make_busybox h4
  nook config set -P "$LP" -n h4 lxc.hook.mount "/bin/sh -c 'exit 4'"
  run nook start -P "$LP" -n h4
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"exit status 4"* ]]
  [ -z "$(leftovers h4)" ]
}

@test "lxc.namespace.keep = net shares the host network; lxc.net.0.type = none too" {
  make_busybox n1
  nook config set -P "$LP" -n n1 lxc.namespace.keep net
  # A plain command as init: nothing in the container may touch the host's interfaces.
  nook start -P "$LP" -n n1 -- /bin/sleep 1000
  run nook attach -P "$LP" -n n1 -- sh -c "awk -F: 'NR > 2 {print \$1}' /proc/net/dev | tr -d ' ' | sort | tr '\n' ' '"
  host=$(awk -F: 'NR > 2 {print $1}' /proc/net/dev | tr -d ' ' | sort | tr '\n' ' ')
  [ "$output" = "$host" ]
}

@test "lxc.sysctl and lxc.prlimit reach init" {
  make_busybox s1
  nook config set -P "$LP" -n s1 lxc.sysctl.net.ipv4.ip_forward 1
  nook config set -P "$LP" -n s1 lxc.prlimit.nofile 1000:2000
  nook start -P "$LP" -n s1
  run nook attach -P "$LP" -n s1 -- cat /proc/sys/net/ipv4/ip_forward
  [ "$output" = "1" ]
  run nook attach -P "$LP" -n s1 -- sh -c 'grep "Max open files" /proc/1/limits'
  [[ $output == *1000*2000* ]]
}

@test "lxc.environment and lxc.init.cwd reach init" {
  make_busybox e1
  nook config set -P "$LP" -n e1 lxc.environment FOO=bar
  nook config set -P "$LP" -n e1 lxc.init.cwd /tmp
  # busybox init changes to / itself: a plain command shows the cwd it was given
  nook start -P "$LP" -n e1 -- /bin/sleep 1000
  run nook attach -P "$LP" -n e1 -- sh -c 'tr "\0" "\n" < /proc/1/environ | grep -E "^(FOO|container)="; readlink /proc/1/cwd'
  [[ $output == *"FOO=bar"* ]]
  [[ $output == *"container=lxc"* ]]
  [[ $output == *"/tmp" ]]
}

@test "a container made by LXC's lxc-create starts under nook" {
  command -v lxc-create >/dev/null || skip "LXC is not installed"
  lxc-create -P "$LP" -n lxcmade -t busybox >/dev/null
  # LXC's busybox config names a veth on lxcbr0; networks come with a later change.
  nook config set -P "$LP" -n lxcmade lxc.net.0.type empty
  nook start -P "$LP" -n lxcmade
  run nook attach -P "$LP" -n lxcmade -- hostname
  [ "$output" = "lxcmade" ]
}

@test "destroy refuses a running container; destroy -f kills it first" {
  make_busybox d1
  nook start -P "$LP" -n d1
  run nook destroy -P "$LP" -n d1
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"is running"* ]]
  [ -d "$LP/d1/rootfs" ]
  run nook destroy -P "$LP" -n d1 -f
  [ "$status" -eq 0 ]
  [ ! -e "$LP/d1" ]
  [ -z "$(leftovers d1)" ]
}

@test "a flood on the console: the monitor keeps up and the ring buffer keeps the newest" {
  make_busybox f1
  nook config set -P "$LP" -n f1 lxc.console.buffer.size 4096
  nook start -P "$LP" -n f1
  nook attach -P "$LP" -n f1 -- sh -c 'i=0; while [ $i -lt 3000 ]; do echo "flood line $i"; i=$((i+1)); done > /dev/console; echo flood-end > /dev/console'
  sleep 0.5
  run nook console-log -P "$LP" -n f1
  [[ $output == *flood-end* ]]
  [[ $output != *"flood line 0"$'\n'* ]]
  [ "${#output}" -le 4096 ]
  run nook attach -P "$LP" -n f1 -- true
  [ "$status" -eq 0 ]
}

@test "stop during start: no monitor, cgroup or process is left" {
  make_busybox f2
  nook config set -P "$LP" -n f2 lxc.hook.pre-start "/bin/sleep 1"
  "$NOOK" start -P "$LP" -n f2 & sp=$!
  for _ in $(seq 40); do [[ $(nook info -P "$LP" -n f2 -s) == *STARTING* ]] && break; sleep 0.05; done
  nook stop -P "$LP" -n f2 -k || true
  wait $sp || true
  nook stop -P "$LP" -n f2 -k 2>/dev/null || true
  run nook wait -P "$LP" -n f2 -s STOPPED -t 10
  [ "$status" -eq 0 ]
  [ -z "$(leftovers f2)" ]
}

@test "stop --nokill fails after the timeout and leaves the container running" {
  make_busybox f3
  nook start -P "$LP" -n f3 -- /bin/sh -c 'trap "" USR1 TERM PWR; while :; do sleep 1; done'
  run nook stop -P "$LP" -n f3 -t 1 --nokill
  [ "$status" -eq 1 ]
  one_line
  [[ $output == *"still running"* ]]
  [[ $(nook info -P "$LP" -n f3 -s) == *RUNNING ]]
  run nook stop -P "$LP" -n f3 -t 1
  [ "$status" -eq 0 ]
  [ -z "$(leftovers f3)" ]
}

@test "console: the terminal's size reaches the tty" {
  make_busybox f4
  nook start -P "$LP" -n f4
  run python3 - "$NOOK" "$LP" <<'PY'
import fcntl, os, pty, select, struct, sys, termios, time
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 37, 101, 0, 0))
    os.execv(sys.argv[1], [sys.argv[1], "console", "-P", sys.argv[2], "-n", "f4", "-t", "0"])
seen = b""
def until(needle, t=10):
    global seen
    end = time.time() + t
    while time.time() < end and needle not in seen:
        if select.select([fd], [], [], 0.2)[0]:
            seen += os.read(fd, 4096)
    return needle in seen
until(b"Connected")
time.sleep(0.5)
os.write(fd, b"stty size\r")
ok = until(b"37 101")
os.write(fd, b"\x01q")
os.waitpid(pid, 0)
print(seen.decode(errors="replace"))
sys.exit(0 if ok else 1)
PY
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "devices: only the standard nodes by default; no mknod of a disk, no loosening the rules" {
  [ -d /sys/fs/cgroup/devices ] || skip "no cgroup v1 devices controller on this host"
  make_busybox dv
  nook start -P "$LP" -n dv
  run nook attach -P "$LP" -n dv -- mknod /tmp/disk b 8 0
  [ "$status" -ne 0 ]
  run nook attach -P "$LP" -n dv -- sh -c 'echo a > /sys/fs/cgroup/devices/devices.allow'
  [ "$status" -ne 0 ]
  run nook attach -P "$LP" -n dv -- sh -c 'echo ok > /dev/null && head -c 1 /dev/urandom | wc -c'
  [ "$output" = "1" ]
  # a config with rules of its own gets exactly those
  nook config set -P "$LP" -n dv lxc.cgroup.devices.allow "b 8:0 rwm"
  nook stop -P "$LP" -n dv -k
  nook start -P "$LP" -n dv
  run nook attach -P "$LP" -n dv -- mknod /tmp/disk b 8 0
  [ "$status" -eq 0 ]
}

@test "lxc.namespace.share.net/uts/ipc join another container's namespaces" {
  ip link add nkt-shbr type bridge
  ip link set nkt-shbr up
  make_busybox sha <<C
lxc.net.0.type = veth
lxc.net.0.link = nkt-shbr
lxc.net.0.flags = up
lxc.net.0.ipv4.address = 10.213.9.2/24
C
  make_busybox shb <<C
lxc.namespace.share.net = sha
lxc.namespace.share.uts = sha
C
  nook start -P "$LP" -n sha
  nook start -P "$LP" -n shb
  local pa pb
  pa=$(nook info -P "$LP" -n sha -p | awk '{print $2}')
  pb=$(nook info -P "$LP" -n shb -p | awk '{print $2}')
  [ "$(readlink /proc/$pa/ns/net)" = "$(readlink /proc/$pb/ns/net)" ]
  [ "$(readlink /proc/$pa/ns/uts)" = "$(readlink /proc/$pb/ns/uts)" ]
  [ "$(readlink /proc/$pa/ns/ipc)" != "$(readlink /proc/$pb/ns/ipc)" ]
  # One hostname for both: shb's rcS sets its own name, in the namespace they share.
  run nook attach -P "$LP" -n shb -- hostname
  local hb=$output
  run nook attach -P "$LP" -n sha -- hostname
  [ "$output" = "$hb" ]
  run nook attach -P "$LP" -n shb -- ip -4 -o addr show eth0
  [[ $output == *10.213.9.2/24* ]]
  # By pid and by path too.
  make_busybox shc <<C
lxc.namespace.share.ipc = $pa
lxc.namespace.share.net = /proc/$pa/ns/net
C
  nook start -P "$LP" -n shc
  pc=$(nook info -P "$LP" -n shc -p | awk '{print $2}')
  [ "$(readlink /proc/$pa/ns/ipc)" = "$(readlink /proc/$pc/ns/ipc)" ]
  [ "$(readlink /proc/$pa/ns/net)" = "$(readlink /proc/$pc/ns/net)" ]
  stop_all
  ip link del nkt-shbr
}

@test "lxc.namespace.share: what cannot be joined is refused in one line, before anything is made" {
  make_busybox shx
  run nook start -P "$LP" -n shx -s lxc.namespace.share.pid=1
  echo "$output"
  [ "$status" -ne 0 ]
  one_line
  [[ $output == *"lxc.namespace.share.pid"*"only net, ipc, uts and cgroup"* ]]
  run nook start -P "$LP" -n shx -s lxc.namespace.share.net=no-such-ct
  echo "$output"
  [ "$status" -ne 0 ]
  [[ $output == *"lxc.namespace.share.net"* ]]
  run nook start -P "$LP" -n shx -s lxc.namespace.share.net=$$ -s lxc.net.0.type=veth -s lxc.net.0.link=lo
  echo "$output"
  [ "$status" -ne 0 ]
  [[ $output == *"lxc.net.0.type"*"share.net"* ]]
  [ -z "$(leftovers shx)" ]
}

@test "lxc.apparmor.profile and lxc.selinux.context: applied where the host runs the LSM, else a one-line note each" {
  make_busybox lsm <<C
lxc.apparmor.profile = lxc-container-default-cgns
lxc.selinux.context = system_u:system_r:container_t:s0
C
  run nook start -P "$LP" -n lsm
  echo "$output"
  [ "$status" -eq 0 ]
  if [[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) == Y ]]; then
    run nook attach -P "$LP" -n lsm -- cat /proc/1/attr/current
    [[ $output == lxc-container-default-cgns* ]]
  else
    [[ $output == *"lxc.apparmor.profile = lxc-container-default-cgns ignored: this host does not run AppArmor"* ]]
  fi
  if [[ -e /sys/fs/selinux/enforce ]]; then
    run nook attach -P "$LP" -n lsm -- cat /proc/1/attr/current
    [[ $output == system_u:system_r:container_t* ]]
  else
    [[ $output == *"lxc.selinux.context = system_u:system_r:container_t:s0 ignored: this host does not run SELinux"* ]]
  fi
}
