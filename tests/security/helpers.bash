# Shared set-up for the escape suite (tests/security/escape.bats): real attacks, as root, from
# inside privileged busybox containers, each followed by a look at the host.
#
# The attack programs (tests/security/*.c) are compiled statically once per run into
# $BATS_FILE_TMPDIR/bin and copied into each container's /usr/local/bin.

# The integration suite's helpers: per-test lxcpath ($LP), nook(), make_busybox, leftovers,
# stop_all.
source "$BATS_TEST_DIRNAME/../integration/helpers.bash"
NOOK=$(readlink -f "$NOOK")

SEC_PROGS=(exewatch shocker kmod capraise tiocsti uconnect)

# setup_file: build every attack program, static (the busybox rootfs has no libc).
build_attacks() {
  command -v gcc >/dev/null || { echo "gcc is needed to build the attack programs" >&2; return 1; }
  mkdir -p "$BATS_FILE_TMPDIR/bin"
  local p
  for p in "${SEC_PROGS[@]}"; do
    gcc -static -O2 -Wall -o "$BATS_FILE_TMPDIR/bin/$p" "$BATS_TEST_DIRNAME/$p.c" || return 1
  done
  # The fake ELF interpreter is freestanding x86_64 code; it is not copied into containers.
  if [[ $(uname -m) == x86_64 ]]; then
    gcc -nostdlib -static-pie -fPIE -O1 -fno-stack-protector -Wall \
      -o "$BATS_FILE_TMPDIR/fakeld" "$BATS_TEST_DIRNAME/fakeld.c" || return 1
  fi
}

# Everything teardown must undo, one shell command a line, run last-in first-out even when the
# test failed half-way.
on_teardown() {
  printf '%s\n' "$*" >> "$BATS_TEST_TMPDIR/undo"
}

sec_setup() {
  setup_lxcpath
  : > "$BATS_TEST_TMPDIR/undo"
}

sec_teardown() {
  stop_all
  if [[ -s $BATS_TEST_TMPDIR/undo ]]; then
    local cmd
    while IFS= read -r cmd; do
      eval "$cmd" || true
    done < <(tac "$BATS_TEST_TMPDIR/undo")
  fi
  teardown_lxcpath
}

# The suite runs twice: escape.bats with privileged containers, escape-unprivileged.bats (a
# link to it) with containers whose root is host uid $SEC_UID_BASE in a user namespace.
if [[ $(basename "$BATS_TEST_FILENAME") == *unprivileged* ]]; then
  SEC_MODE=unprivileged
else
  SEC_MODE=privileged
fi
SEC_UID_BASE=300000

# Skips the test in privileged mode only: the attack is blocked by the user namespace.
skip_if_privileged() {
  [[ $SEC_MODE == unprivileged ]] || skip "$1"
}

# A busybox container NAME (privileged or in a user namespace, per $SEC_MODE) with the attack
# programs in /usr/local/bin; extra config lines from stdin. Not started.
sec_container() {
  local name=$1
  make_busybox "$name"
  mkdir -p "$LP/$name/rootfs/usr/local/bin"
  cp "$BATS_FILE_TMPDIR"/bin/* "$LP/$name/rootfs/usr/local/bin/"
  if [[ $SEC_MODE == unprivileged ]]; then
    chmod 755 "$LP"
    chown -R "$SEC_UID_BASE:$SEC_UID_BASE" "$LP/$name"
    chown root:root "$LP/$name/config"
    printf 'lxc.idmap = u 0 %s 65536\nlxc.idmap = g 0 %s 65536\n' "$SEC_UID_BASE" "$SEC_UID_BASE" \
      >> "$LP/$name/config"
  fi
}

rootfs() { echo "$LP/$1/rootfs"; }

# Files the test put into a rootfs become the container root's (an unprivileged root cannot
# write host root's files).
sec_own() {
  [[ $SEC_MODE == unprivileged ]] || return 0
  chown -h "$SEC_UID_BASE:$SEC_UID_BASE" "$@"
}

# Runs a command inside running container NAME, as root, without a pty (stdin /dev/null).
in_ct() {
  local name=$1
  shift
  "$NOOK" attach -P "$LP" -n "$name" -- "$@" < /dev/null
}

init_pid() {
  "$NOOK" info -P "$LP" -n "$1" -p | awk '{print $2}'
}

# The host's pid of the process of container NAME whose pid inside is INNER.
host_pid_of() {
  local ns p
  ns=$(readlink "/proc/$(init_pid "$1")/ns/pid")
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/ns/pid" 2>/dev/null) == "$ns" ]] || continue
    if awk -v want="$2" '/^NSpid:/ { found = ($NF == want) } END { exit !found }' "$p/status" 2>/dev/null; then
      echo "${p#/proc/}"
      return 0
    fi
  done
  return 1
}

# The container's cgroup, as the host names it, on every hierarchy: "controller:path" lines
# from the host's view of PID.
host_cgroups() {
  cut -d: -f2- "/proc/$1/cgroup" | sort
}

# Waits up to $2 seconds (default 10) for file $1 to contain $3.
wait_for_text() {
  local f=$1 t=${2:-10} text=$3 i
  for ((i = 0; i < t * 10; i++)); do
    grep -qF -- "$text" "$f" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$text' in $f" >&2
  return 1
}

# The shared libraries and loader of the nook binary, copied into a rootfs, so that nook's image
# can really run inside the container (the CVE-2019-5736 attack makes it run there).
copy_nook_libs() {
  local root=$1 lib
  for lib in $(ldd "$NOOK" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

# tty_session TIMEOUT STEP... -- CMD...
# Runs CMD on a new pseudo-terminal, as an interactive user would from a host shell, then has
# that same host shell read one line from the terminal: what an injected command would reach.
# Prints the whole transcript, with "[exit N]" after CMD and "HOSTREAD[line]" at the end
# (empty brackets: nothing was injected into the host's terminal).
# STEPs: expect:TEXT (wait until TEXT was printed), send:TEXT (type it; \r, \x01 escapes),
# sleep:SECONDS.
tty_session() {
  python3 - "$@" <<'PY'
import os, pty, select, sys, time

args = sys.argv[1:]
sep = args.index("--")
timeout, steps, cmd = float(args[0]), args[1:sep], args[sep + 1:]
# The host shell: runs the command, then reads the terminal for up to 3 s.
wrapper = '"$@"; echo "[exit $?]"; IFS= read -t 3 -r line; echo "HOSTREAD[$line]"'
pid, fd = pty.fork()
if pid == 0:
    os.execvp("bash", ["bash", "-c", wrapper, "bash"] + cmd)
seen = bytearray()
end = time.time() + timeout


def pump(t):
    r, _, _ = select.select([fd], [], [], t)
    if not r:
        return True
    try:
        data = os.read(fd, 4096)
    except OSError:
        return False
    seen.extend(data)
    return bool(data)


ok = True
for step in steps:
    kind, _, text = step.partition(":")
    data = text.encode().decode("unicode_escape").encode("latin-1")
    if kind == "expect":
        while data not in seen and time.time() < end and pump(0.1):
            pass
        if data not in seen:
            ok = False
            seen.extend(b"\n[tty_session: timed out waiting for %r]\n" % data)
            break
    elif kind == "send":
        os.write(fd, data)
    elif kind == "sleep":
        time.sleep(float(text))
status = None
while time.time() < end:
    wpid, st = os.waitpid(pid, os.WNOHANG)
    if wpid:
        status = st
        break
    pump(0.1)
if status is None:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    seen.extend(b"\n[tty_session: killed after the timeout]\n")
    ok = False
# What is left in the master; a process of the container may still hold the slave open.
while pump(0.05):
    r, _, _ = select.select([fd], [], [], 0)
    if not r:
        break
sys.stdout.write(seen.decode(errors="replace").replace("\r", ""))
sys.exit(0 if ok else 1)
PY
}

# The one HOSTREAD[...] line of a tty_session transcript in $output.
hostread() {
  grep -o 'HOSTREAD\[.*\]' <<< "$output" | tail -1
}
