#!/usr/bin/env python3
"""Runs a command and prints the wall time (s, from fork) at which each marker first appears in
its output (stdout and stderr merged). Kills the command when the stop marker appears or after
the limit. Usage: marktime.py [--stop REGEX] [--limit SEC] [--log FILE] --mark NAME=REGEX... -- CMD...
Prints one line: NAME=SECONDS ... (or NAME=- when never seen), end=SECONDS (the process ended
or was killed), cpu=SECONDS (its user+system CPU time), exit=STATUS (negative: killed by that signal) and 'stopped' when the stop marker
ended it."""
import os, re, signal, subprocess, sys, time, select

def main():
    args = sys.argv[1:]
    marks, stop, limit, log = [], None, 300.0, None
    while args and args[0] != '--':
        a = args.pop(0)
        if a == '--mark':
            name, rx = args.pop(0).split('=', 1)
            marks.append((name, re.compile(rx.encode())))
        elif a == '--stop':
            stop = re.compile(args.pop(0).encode())
        elif a == '--limit':
            limit = float(args.pop(0))
        elif a == '--log':
            log = open(args.pop(0), 'wb')
        else:
            sys.exit('marktime: unknown option ' + a)
    cmd = args[1:]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         start_new_session=True)
    seen, buf, stopped = {}, b'', False
    fd = p.stdout.fileno()
    while True:
        left = limit - (time.monotonic() - t0)
        if left <= 0:
            break
        r, _, _ = select.select([fd], [], [], min(left, 0.5))
        if not r:
            if os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                break  # exited (not reaped: wait4 below collects its CPU time)
            continue
        chunk = os.read(fd, 65536)
        now = time.monotonic() - t0
        if not chunk:
            break
        if log:
            log.write(chunk)
        buf += chunk
        for name, rx in marks:
            if name not in seen and rx.search(buf):
                seen[name] = now
        if stop and stop.search(buf):
            stopped = True
            break
        if len(buf) > 1 << 20:
            buf = buf[-4096:]
    if os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        os.killpg(p.pid, signal.SIGKILL)
    # wait4: the child's own CPU time (all its threads; for a VMM on KVM, guest emulation in the
    # host kernel counts as its system time), which host load barely changes, unlike wall time.
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = rc = os.waitstatus_to_exitcode(status)
    end = time.monotonic() - t0
    cpu = '%.2f' % (ru.ru_utime + ru.ru_stime)
    out = ' '.join('%s=%s' % (n, ('%.2f' % seen[n]) if n in seen else '-') for n, _ in marks)
    print('%s end=%.2f cpu=%s exit=%s%s' % (out, end, cpu, rc, ' stopped' if stopped else ''))

main()
