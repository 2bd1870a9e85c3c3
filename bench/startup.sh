#!/usr/bin/env bash
# Start-up, footprint and density of minivmm against QEMU microvm, side by side in one run
# (docs/BENCHMARKS.md, "Start-up, footprint and density"). Not a test.
#   bash bench/startup.sh                 # RUNS=15 alternating start-up runs, 50 VMs in one JVM, 20 processes
#   RUNS=31 LIB=50 CLI=20 bash bench/startup.sh
#   LIB=0 CLI=0 bash bench/startup.sh     # start-up and footprint only
# Needs /dev/kvm, qemu-system-x86_64 (Debian: qemu-system-x86), binutils, python3, and a build:
# it runs `mvn -q -B -o package -DskipTests` unless NOBUILD=1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=bench/target/startup; mkdir -p "$out"
command -v qemu-system-x86_64 >/dev/null || { echo "startup.sh: qemu-system-x86_64 not found (apt-get install qemu-system-x86)" >&2; exit 1; }
[ "${NOBUILD:-0}" = 1 ] || mvn -q -B -o package -DskipTests
bash bench/build-tiny.sh "$out" >/dev/null
echo "machine: $(nproc) cpus, $(uname -r), $(java -version 2>&1 | head -1), $(qemu-system-x86_64 --version | head -1)"
echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo ' (dirty)'); archive: $([ -f vmm/target/vmm.jsa ] && echo vmm/target/vmm.jsa || echo none)"
python3 bench/startup.py "$out/tiny.elf" "$root/vmm/target/vmm.jar" "$root/vmm/target/vmm" "$root/vmm/target/test-classes" \
  "${RUNS:-15}" "${LIB:-50}" "${CLI:-20}" | tee "$out/result.txt"
