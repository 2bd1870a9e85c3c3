#!/usr/bin/env python3
"""Start-up, footprint and density of minivmm against QEMU microvm (docs/BENCHMARKS.md, issue 14).
Run through bench/startup.sh, which builds what this needs. Usage:
  startup.py TINY_ELF JAR LAUNCHER TEST_CLASSES [RUNS] [DENSITY_LIB] [DENSITY_CLI]
Every variant boots the same tiny PVH guest (bench/tiny-pvh.S: "tiny\\n" on COM1, then port 0xf4)
with 32 MiB of RAM. Start-up: the variants take turns (run 1 of each, then run 2 of each, ...) and
the medians are printed: fork to the first serial byte on stdout, fork to exit, CPU time (user +
system of the process and its children), peak RSS (the kernel's ru_maxrss, guest pages included).
Footprint (issue 14's measure: the VMM's own memory): the same guest built to halt after its output
(tiny-halt.elf), sampled while it runs: peak RSS minus the resident size of the guest's RAM mapping.
That differs between the VMMs: QEMU backs guest RAM with transparent huge pages (the guest's first
touch makes 2 MiB resident), minivmm with 4 KiB pages (~24 KiB). Density: N guests at once, as N
processes (all spawned together, wall time until the last exits, sum of their peak RSS) or as N
VMs in one JVM (io.minivmm.vmm.bench.DensityBench)."""
import os, select, statistics, subprocess, sys, time

def variants(tiny, jar, launcher):
    qemu = ['qemu-system-x86_64', '-M', 'microvm', '-accel', 'kvm', '-nodefaults', '-no-user-config',
            '-nographic', '-serial', 'stdio', '-device', 'isa-debug-exit,iobase=0xf4,iosize=4',
            '-m', '32M', '-kernel', tiny]
    return [
        ('java -jar vmm.jar', ['java', '-jar', jar, '--mem', '32M', '--kernel', tiny], 0),
        ('launcher vmm/target/vmm', [launcher, '--mem', '32M', '--kernel', tiny], 0),
        ('qemu microvm', qemu, 1),   # isa-debug-exit: (0 << 1) | 1
    ]

def run_once(cmd):
    """fork -> first stdout byte, fork -> exit (s), cpu (s), maxrss (KiB), status."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    first = None
    fd = p.stdout.fileno()
    while True:
        r, _, _ = select.select([fd], [], [], 30)
        if not r:
            p.kill()
            break
        b = os.read(fd, 4096)
        if b and first is None:
            first = time.monotonic() - t0
        if not b:
            break
    _, status, ru = os.wait4(p.pid, 0)
    end = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return first, end, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, p.returncode

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else float('nan')

def startup(vs, runs):
    res = {name: [] for name, _, _ in vs}
    for name, cmd, _ in vs:   # warm the page cache once
        run_once(cmd)
    for _ in range(runs):
        for name, cmd, want in vs:
            r = run_once(cmd)
            if r[4] != want:
                print(f'  {name}: exit status {r[4]}, expected {want}', file=sys.stderr)
            res[name].append(r)
    print(f'\n== start-up and footprint: tiny PVH guest, 32 MiB, {runs} alternating runs each (medians); '
          f'loadavg {os.getloadavg()[0]:.1f}')
    q = res['qemu microvm']
    qf, qe, qc, qr = med([r[0] for r in q]), med([r[1] for r in q]), med([r[2] for r in q]), med([r[3] for r in q])
    print(f'{"variant":26} {"first byte":>11} {"exit":>9} {"cpu":>9} {"peak RSS":>10}   ratios to QEMU (first byte / exit / cpu / RSS)')
    for name, _, _ in vs:
        rs = res[name]
        f, e, c, m = med([r[0] for r in rs]), med([r[1] for r in rs]), med([r[2] for r in rs]), med([r[3] for r in rs])
        print(f'{name:26} {f*1000:8.0f} ms {e*1000:6.0f} ms {c*1000:6.0f} ms {m/1024:7.1f} MiB   '
              f'{f/qf:.2f} / {e/qe:.2f} / {c/qc:.2f} / {m/qr:.2f}')

def sample_footprint(cmd, guest_bytes, settle=0.5):
    """Runs cmd (a guest that prints and then halts), waits for its first byte and `settle`
    seconds, then reads the peak RSS (VmHWM) and the resident size of the guest's RAM: the
    mapping of exactly guest_bytes with the most resident pages (QEMU backs guest RAM with
    transparent huge pages, so its first touch makes 2 MiB resident; minivmm faults 4 KiB pages).
    Returns (peak KiB, guest RAM KiB) or None."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        r, _, _ = select.select([p.stdout.fileno()], [], [], 30)
        if not r:
            return None
        os.read(p.stdout.fileno(), 4096)
        time.sleep(settle)
        guest, size = 0, None
        with open(f'/proc/{p.pid}/smaps') as f:
            for line in f:
                head = line.split(' ', 1)[0]
                if '-' in head and ':' not in head:
                    a, b = head.split('-')
                    size = int(b, 16) - int(a, 16)
                elif line.startswith('Rss:') and size == guest_bytes:
                    guest = max(guest, int(line.split()[1]))
        with open(f'/proc/{p.pid}/status') as f:
            hwm = [int(l.split()[1]) for l in f if l.startswith('VmHWM:')][0]
        return hwm, guest
    finally:
        p.kill()
        p.wait()

def footprint(vs, halt, runs):
    """The VMM's own memory: peak RSS minus the guest's resident RAM, for the halting tiny guest."""
    print(f'\n== footprint: the tiny guest halting after its output, sampled 0.5 s after the first byte, '
          f'{runs} alternating runs each (medians); loadavg {os.getloadavg()[0]:.1f}')
    print(f'{"variant":26} {"peak RSS":>10} {"guest RAM":>10} {"own":>10}   own / QEMU\'s own  (own: min-max)')
    got = {name: [] for name, _, _ in vs}
    for _ in range(runs):  # one run of each, then the next round, as for start-up
        for name, cmd, _ in vs:
            x = sample_footprint([halt if c.endswith('tiny.elf') else c for c in cmd], 32 << 20)
            if x:
                got[name].append(x)
    rows = {name: (med([g[0] for g in xs]), med([g[1] for g in xs]), [g[0] - g[1] for g in xs])
            for name, xs in got.items() if xs}
    q = rows.get('qemu microvm')
    for name, (hwm, guest, owns) in rows.items():
        own = med(owns)
        ratio = f'{own / med(q[2]):.3f}' if q else '-'
        print(f'{name:26} {hwm/1024:7.1f} MiB {guest/1024:7.2f} MiB {own/1024:7.2f} MiB   {ratio}'
              f'             ({min(owns)/1024:.2f}-{max(owns)/1024:.2f})')

def spawn_many(cmd, n):
    t0 = time.monotonic()
    procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
             for _ in range(n)]
    rss, ok = 0, 0
    for p in procs:
        _, status, ru = os.wait4(p.pid, 0)
        rss += ru.ru_maxrss
        ok += 1 if os.waitstatus_to_exitcode(status) in (0, 1) else 0
    return time.monotonic() - t0, rss, ok

def density(vs, classes, jar, tiny, n_lib, n_cli):
    print(f'\n== density: guests at once; loadavg {os.getloadavg()[0]:.1f}')
    print(f'{"variant":40} {"guests":>6} {"wall":>9} {"total RSS":>11} {"per guest":>10} {"ok":>4}')
    cmd = ['java', '-cp', f'{classes}:{jar}', 'io.minivmm.vmm.bench.DensityBench', tiny, str(n_lib), '32']
    t0 = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True)
    wall_proc = time.monotonic() - t0
    line = [l for l in out.stdout.splitlines() if l.startswith('DENSITY|')]
    if line:
        _, _, n, wall, ok, hwm = line[0].split('|')
        print(f'{"one JVM, library (DensityBench)":40} {n:>6} {float(wall)*1000:6.0f} ms {int(hwm)/1024:8.1f} MiB '
              f'{int(hwm)/1024/int(n):7.2f} MiB {ok:>4}   (JVM start to exit {wall_proc*1000:.0f} ms)')
    else:
        print('DensityBench failed:', out.stdout[-500:], out.stderr[-500:])
    for name, c, _ in vs:
        n = n_cli
        wall, rss, ok = spawn_many(c, n)
        print(f'{name + " processes":40} {n:>6} {wall*1000:6.0f} ms {rss/1024:8.1f} MiB {rss/1024/n:7.2f} MiB {ok:>4}')
    qemu = [c for name, c, _ in vs if name == 'qemu microvm'][0]
    wall, rss, ok = spawn_many(qemu, n_lib)
    print(f'{"qemu microvm processes":40} {n_lib:>6} {wall*1000:6.0f} ms {rss/1024:8.1f} MiB {rss/1024/n_lib:7.2f} MiB {ok:>4}')

def main():
    tiny, jar, launcher, classes = sys.argv[1:5]
    runs = int(sys.argv[5]) if len(sys.argv) > 5 else 15
    n_lib = int(sys.argv[6]) if len(sys.argv) > 6 else 50
    n_cli = int(sys.argv[7]) if len(sys.argv) > 7 else 20
    vs = variants(tiny, jar, launcher)
    for name, cmd, _ in vs:
        print(f'{name}: {" ".join(cmd)}')
    startup(vs, runs)
    footprint(vs, tiny.replace('tiny.elf', 'tiny-halt.elf'), max(9, runs // 2))
    if n_lib > 0 and n_cli > 0:
        density(vs, classes, jar, tiny, n_lib, n_cli)   # LIB=0 CLI=0: start-up only

if __name__ == '__main__':
    main()
