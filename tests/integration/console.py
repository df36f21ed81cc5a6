#!/usr/bin/env python3
"""Drives `nook console` under a real pseudo-terminal, as a person at a terminal would.

usage: console.py EXPECT [--send TEXT] [--expect2 TEXT] -- NOOK-CONSOLE-ARGV...
Waits for EXPECT in the output (after pressing Enter once it is connected), optionally types
TEXT and waits for EXPECT2, then types the escape sequence (Ctrl+a q, or Ctrl+<key> q with
--escape KEY) and checks that the console command exits 0. Prints what it saw; exits 1 on a
timeout or a bad exit.
"""
import os
import pty
import select
import sys
import time


def read_until(fd, needle, seen, timeout=20.0):
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            seen.extend(data)
            if needle.encode() in seen:
                return True
    return False


def main():
    args = sys.argv[1:]
    sep = args.index("--")
    opts, argv = args[:sep], args[sep + 1:]
    expect, send, expect2, escape = opts[0], None, None, "a"
    i = 1
    while i < len(opts):
        if opts[i] == "--send":
            send = opts[i + 1]
        elif opts[i] == "--expect2":
            expect2 = opts[i + 1]
        elif opts[i] == "--escape":
            escape = opts[i + 1]
        i += 2
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    seen = bytearray()
    ok = read_until(fd, "Connected to tty", seen)
    if ok:
        os.write(fd, b"\r")
        ok = read_until(fd, expect, seen)
    if ok and send is not None:
        os.write(fd, send.encode().replace(b"\n", b"\r"))
        ok = read_until(fd, expect2, seen) if expect2 else True
    # Detach in any case, so that a failed expectation still ends the console cleanly.
    os.write(fd, bytes([ord(escape) - ord("a") + 1]) + b"q")
    end = time.time() + 10
    status = None
    while time.time() < end:
        wpid, st = os.waitpid(pid, os.WNOHANG)
        if wpid:
            status = st
            break
        try:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                seen.extend(os.read(fd, 4096))
        except OSError:
            pass
    if status is None:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    sys.stdout.write(seen.decode(errors="replace"))
    sys.stdout.write("\n[console exit: %s]\n" % (os.waitstatus_to_exitcode(status) if status is not None else "hung"))
    sys.exit(0 if ok and status is not None and os.waitstatus_to_exitcode(status) == 0 else 1)


main()
