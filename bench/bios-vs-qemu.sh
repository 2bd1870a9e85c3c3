#!/usr/bin/env bash
# minivmm's BIOS vs QEMU with SeaBIOS (KVM): wall time from process start to the first text a boot
# sector prints through int 10h, median of N runs each, run alternately in the same invocation.
#   bash bench/bios-vs-qemu.sh             # N=5
# The guest is guest/src/asm/biosprint.16.S (prints "hello from int 10h" by teletype, then PASS),
# written to a 64 KiB raw disk image. minivmm: `java -jar vmm.jar --disk IMG` (the guest ends the
# run through port 0xf4). QEMU: `-accel kvm -drive file=IMG,format=raw -nographic`: -nographic
# makes SeaBIOS mirror int 10h output to the serial console; the run is killed once "hello" appears
# (QEMU has no debug-exit device here). The time is to the first "hello" on the console.
# Environment: N (runs, default 5), JAR (default vmm/target/vmm.jar), LIMIT (seconds per run, 60).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-5}
LIMIT=${LIMIT:-60}
JAR=${JAR:-$here/vmm/target/vmm.jar}
GUEST="$here/guest/target/classes/guests/biosprint.bin"
[ -f "$JAR" ] || { echo "bios-vs-qemu: $JAR missing: run mvn -q -B -o package -DskipTests" >&2; exit 66; }
[ -f "$GUEST" ] || { echo "bios-vs-qemu: $GUEST missing: run mvn -q -B -o package -DskipTests" >&2; exit 66; }
command -v qemu-system-x86_64 >/dev/null 2>&1 || { echo "bios-vs-qemu: qemu-system-x86_64 not installed" >&2; exit 69; }
MT="$here/bench/marktime.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
img="$work/boot.img"
cp "$GUEST" "$img"
truncate -s 64K "$img"
echo "# $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, $(qemu-system-x86_64 --version | head -n1)," \
  "java $(java -version 2>&1 | head -n1 | cut -d'"' -f2), N=$N, load $(cut -d' ' -f1-3 /proc/loadavg)"
m=(); q=()
for i in $(seq 1 "$N"); do
  line=$("$MT" --mark hello='hello' --stop 'PASS' --limit "$LIMIT" --log "$work/minivmm.$i.log" -- \
    java -jar "$JAR" --disk "$img")
  echo "minivmm run $i: $line" >&2
  m+=("$(sed -n 's/.*hello=\([0-9.]*\).*/\1/p' <<<"$line")")
  line=$("$MT" --mark hello='hello' --stop 'hello' --limit "$LIMIT" --log "$work/qemu.$i.log" -- \
    qemu-system-x86_64 -accel kvm -m 64 -drive file="$img",format=raw -nographic -no-reboot)
  echo "qemu run $i: $line" >&2
  q+=("$(sed -n 's/.*hello=\([0-9.]*\).*/\1/p' <<<"$line")")
done
median() { printf '%s\n' "$@" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
mm=$(median "${m[@]}"); qm=$(median "${q[@]}")
echo "minivmm --disk: first int 10h text at ${mm} s (median of $N: ${m[*]})"
echo "qemu+SeaBIOS:   first int 10h text at ${qm} s (median of $N: ${q[*]})"
awk -v a="$mm" -v b="$qm" 'BEGIN { if (a > 0 && b > 0) printf "ratio: minivmm is %.1fx faster\n", b / a }'
