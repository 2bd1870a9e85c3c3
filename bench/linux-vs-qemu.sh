#!/usr/bin/env bash
# minivmm vs QEMU (KVM): wall time from process start to console markers, median of N runs.
#   bench/linux-vs-qemu.sh                 # everything, N=3
#   N=1 ONLY=multiboot bench/linux-vs-qemu.sh
# Environment: N (runs per row, default 3), ONLY (linux|multiboot|all), IMAGES (default
# <repo>/../shared/images or /work/shared/images), JAR (default vmm/target/vmm.jar), MODELS
# (minivmm --cpu models to run, default "default baseline"), LOGS (directory for the raw console
# logs, default a temp dir), LIMIT (seconds before a run is killed, default 240).
# Linux rows: the kernel and initrd of shared/images, 64 MiB, the README's fast command line, one
# vCPU. minivmm runs to the reset after the panic (see shared/images/README.md); QEMU stops for good
# at the int3 of int3_selftest() (KVM internal error), so its last column is that stop and ours is
# "Freeing SMP alternatives memory", printed right after the int3. QEMU runs with the README's
# `-cpu qemu64,-cx16`. Needs python3; installs qemu-system-x86 with apt-get when missing (root).
# Runs one VM at a time: on a shared 2-core machine run it when the machine is otherwise idle.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-3}
ONLY=${ONLY:-all}
LIMIT=${LIMIT:-240}
MODELS=${MODELS:-default baseline}
JAR=${JAR:-$here/vmm/target/vmm.jar}
if [ -z "${IMAGES:-}" ]; then
  for c in "$here/../shared/images" /work/shared/images; do
    [ -f "$c/linux-tiny.vmlinux" ] && { IMAGES=$(cd "$c" && pwd); break; }
  done
fi
[ -n "${IMAGES:-}" ] || { echo "linux-vs-qemu: no shared/images directory (set IMAGES)" >&2; exit 66; }
[ -f "$JAR" ] || { echo "linux-vs-qemu: $JAR missing: run mvn -q -B -o package -DskipTests" >&2; exit 66; }
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
  echo "linux-vs-qemu: installing qemu-system-x86" >&2
  apt-get install -y -q qemu-system-x86 >&2
fi
LOGS=${LOGS:-$(mktemp -d)}
mkdir -p "$LOGS"
MT="$here/bench/marktime.py"
FAST="console=ttyS0 reboot=k panic=-1 noxsave clearcpuid=popcnt,smap,erms,fsrm percpu_alloc=page"
Q="qemu-system-x86_64 -enable-kvm -cpu qemu64,-cx16 -nographic -no-reboot -m 64"
MBGUEST="$here/guest/target/classes/guests/mbtiny.elf"
results="$LOGS/results.txt"
: > "$results"

# row NAME STOP-REGEX MARKS... -- CMD...: N runs, one line per run into $results.
row() {
  local name=$1 stop=$2; shift 2
  local marks=()
  while [ "$1" != "--" ]; do marks+=(--mark "$1"); shift; done
  shift
  for i in $(seq 1 "$N"); do
    local stopargs=()
    [ -n "$stop" ] && stopargs=(--stop "$stop")
    local line
    line=$("$MT" "${marks[@]}" "${stopargs[@]}" --limit "$LIMIT" --log "$LOGS/$name.$i.log" -- "$@")
    echo "$name run $i: $line (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    echo "$name $line" >> "$results"
  done
}

echo "# $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$(qemu-system-x86_64 --version | head -n1), java $(java -version 2>&1 | head -n1 | cut -d'"' -f2), N=$N"
echo "# logs: $LOGS"

if [ "$ONLY" = all ] || [ "$ONLY" = linux ]; then
  for k in vmlinux bzImage; do
    kernel="$IMAGES/linux-tiny.$k"
    for m in $MODELS; do
      row "minivmm-$m-$k" "" "version=Linux version" "int3=Freeing SMP alternatives" "init=Run /init as init process" \
        "reset=Kernel panic" -- \
        java -jar "$JAR" --kernel "$kernel" --initrd "$IMAGES/initramfs-tiny.cpio" --mem 64M --cpu "$m" --cmdline "$FAST"
    done
    for machine in microvm pc; do
      # shellcheck disable=SC2086
      row "qemu-$machine-$k" "KVM internal error" "version=Linux version" "int3=KVM internal error" -- \
        $Q -M "$machine" -kernel "$kernel" -initrd "$IMAGES/initramfs-tiny.cpio" -append "$FAST"
    done
  done
fi
if [ "$ONLY" = all ] || [ "$ONLY" = multiboot ]; then
  if [ ! -f "$MBGUEST" ]; then
    bash "$here/guest/build.sh" "$here/guest/target" >&2
  fi
  row "minivmm-multiboot" "" "first=MB-OK" -- java -jar "$JAR" --kernel "$MBGUEST" --mem 64M
  # shellcheck disable=SC2086
  row "qemu-microvm-multiboot" "" "first=MB-OK" -- $Q -M microvm -device isa-debug-exit,iobase=0xf4,iosize=4 \
    -kernel "$MBGUEST"
fi

# The table: medians per row, ratio minivmm / QEMU microvm for the same kernel.
python3 - "$results" <<'PY'
import re, statistics, sys, collections
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    name, rest = line.split(' ', 1)
    d = dict(kv.split('=', 1) for kv in rest.split() if '=' in kv)
    rows.setdefault(name, []).append(d)
def med(runs, key):
    v = [float(r[key]) for r in runs if r.get(key, '-') != '-']
    return (statistics.median(v), min(v), max(v), len(v)) if v else None
def fmt(m, n):
    if m is None: return 'never'
    s = '%.2f s' % m[0]
    if n > 1: s += ' (%.2f-%.2f)' % (m[1], m[2])
    if m[3] < n: s += ' [%d/%d]' % (m[3], n)
    return s
# process end = the exit time is not a marker: use the last marker of the row; exit status shown.
linux = [n for n in rows if not n.endswith('multiboot')]
if linux:
  print()
  print('| run | to `Linux version` | to the int3 (QEMU stop / ours: next line) | to `Run /init` | to the panic | to process exit (ours: reset) | CPU time (user+sys) | exit | int3 time vs QEMU microvm |')
  print('|---|---|---|---|---|---|---|---|---|')
base = {}
for name, runs in rows.items():
    if name.startswith('qemu-microvm-') and not name.endswith('multiboot'):
        base[name.split('-')[-1]] = med(runs, 'int3')
for name, runs in rows.items():
    if name.endswith('multiboot'): continue
    n = len(runs)
    v, i3, ini, rst, end, cpu = (med(runs, k) for k in ('version', 'int3', 'init', 'reset', 'end', 'cpu'))
    k = name.split('-')[-1]
    ratio = '%.2fx' % (i3[0] / base[k][0]) if i3 and base.get(k) else ''
    ex = ','.join(sorted(set(r.get('exit', '?') for r in runs)))
    qemu = name.startswith('qemu')
    print('| %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (name, fmt(v, n), fmt(i3, n), '-' if qemu else fmt(ini, n),
          '-' if qemu else fmt(rst, n), '-' if qemu else fmt(end, n), fmt(cpu, n), ex, ratio))
mb = [(n, r) for n, r in rows.items() if n.endswith('multiboot')]
if mb:
    print()
    print('| Multiboot guest | to the first serial line (`MB-OK`) | to process exit | CPU time | exit status |')
    print('|---|---|---|---|---|')
    for name, runs in mb:
        ex = ','.join(sorted(set(r.get('exit', '?') for r in runs)))
        print('| %s | %s | %s | %s | %s |' % (name, fmt(med(runs, 'first'), len(runs)), fmt(med(runs, 'end'), len(runs)),
              fmt(med(runs, 'cpu'), len(runs)), ex))
PY
