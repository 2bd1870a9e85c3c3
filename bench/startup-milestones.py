#!/usr/bin/env python3
"""Reads lines "WALL_MS CLASS_LOAD_LOG" (from bench/startup-profile.sh) and prints, per run and as
medians, the JVM uptime (ms) at which each start-up phase loaded its first class."""
import re, statistics, sys

MILESTONES = [
    ('main', r' io\.minivmm\.vmm\.Main '),
    ('cli-parser', r' org\.apache\.commons\.cli\.'),
    ('vm-builder', r' io\.minivmm\.vmm\.VmBuilder '),
    ('jna', r' com\.sun\.jna\.'),
    ('kvm-open', r' io\.minivmm\.kvm\.Kvm '),
    ('vcpu-loop', r' io\.minivmm\.vmm\.vcpu\.VcpuRunner '),
    ('log4j', r' org\.apache\.logging\.'),
]

rows = []
for line in sys.stdin:
    wall, path = line.split(None, 1)
    seen, total, app, last = {}, 0, 0, 0.0
    for l in open(path.strip(), errors='replace'):
        m = re.match(r'\[(\d+\.\d+)s\]', l)
        if not m:
            continue
        t = float(m.group(1)) * 1000
        total += 1
        if 'shared objects file' not in l:
            app += 1
        last = t
        for name, rx in MILESTONES:
            if name not in seen and re.search(rx, l):
                seen[name] = t
    row = {'wall': float(wall), 'classes': total, 'not-cds': app, 'end': last}
    row.update(seen)
    rows.append(row)
    print('run: ' + ', '.join(f'{k} {v:.0f}' for k, v in row.items()))
keys = ['wall', 'classes', 'not-cds'] + [n for n, _ in MILESTONES] + ['end']
med = {k: statistics.median([r[k] for r in rows if k in r]) for k in keys if any(k in r for r in rows)}
print('median: ' + ', '.join(f'{k} {v:.0f}' for k, v in med.items()) + '  (ms of JVM uptime; wall = process)')
