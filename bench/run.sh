#!/usr/bin/env bash
# minivmm benchmarks (issues 2 and 4): builds what it needs, runs every harness, prints the
# figures with their Java/C (or Java/reference) ratios and ends with one summary table.
# docs/BENCHMARKS.md keeps the latest figures and explains them.
#
#   bash bench/run.sh            # everything, ~2 minutes on the 2-core nested-KVM host
#   EXITS=20000 ROUNDS=5 WARMUP=30000 CREATE_ITER=15 DEMO_RUNS=10 bash bench/run.sh
#
# Needs /dev/kvm, gcc, Maven with a populated ~/.m2 (offline build) and Java 17. Uses hyperfine
# for the process wall time of `java -jar vmm/target/vmm.jar` when installed, else a bash loop.
# Benchmarks are noisy on a shared machine: every section prints the load average next to it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

EXITS=${EXITS:-20000}
ROUNDS=${ROUNDS:-5}
WARMUP=${WARMUP:-30000}
CREATE_ITER=${CREATE_ITER:-15}
DEMO_RUNS=${DEMO_RUNS:-10}

out=bench/target
mkdir -p "$out"
summary=$out/summary.txt
: >"$summary"

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
section() { printf '\n== %s | %s | loadavg %s\n' "$1" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(loadavg)"; }
# Runs a harness, shows its output and keeps its SUMMARY| lines for the final table.
harness() {
  local log=$out/$1.log
  shift
  "$@" 2>&1 | tee "$log"
  grep '^SUMMARY|' "$log" >>"$summary" || true
}
row() { echo "SUMMARY|$1|$2|$3|$4" >>"$summary"; }

section "machine"
echo "cpus: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "kernel: $(uname -r); hypervisor flag: $(grep -qw hypervisor /proc/cpuinfo && echo yes, nested KVM || echo no)"
java -version 2>&1 | head -2
echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo ' (dirty)')"

section "build: mvn -q -B -o package -DskipTests; native-stubs/build.sh $out"
mvn -q -B -o package -DskipTests
bash native-stubs/build.sh "$out"
cref=$out/bin/c-reference
cp="vmm/target/test-classes:vmm/target/vmm.jar"
java_bench=(java "-Dminivmm.bench.cref=$cref" -cp "$cp")

section "1+2. VM-exit round trip and allocation per exit (ExitBench $EXITS $ROUNDS $WARMUP)"
harness exit "${java_bench[@]}" io.minivmm.vmm.bench.ExitBench "$EXITS" "$ROUNDS" "$WARMUP"

section "3. VM creation to first exit, 256 MiB (CreateBench $CREATE_ITER)"
harness create "${java_bench[@]}" io.minivmm.vmm.bench.CreateBench "$CREATE_ITER"

section "3b. where a cold Kvm.open goes: JNA bootstrap (ColdStartBench, 3 fresh JVMs)"
for _ in 1 2 3; do "${java_bench[@]}" io.minivmm.vmm.bench.ColdStartBench; done | tee "$out/coldstart.log"

section "4. java -jar vmm/target/vmm.jar (embedded demo), process wall time, $DEMO_RUNS runs"
demo=(java -jar vmm/target/vmm.jar)
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N --warmup 2 --runs "$DEMO_RUNS" --export-json "$out/demo.json" "${demo[*]}"
  read -r med min max < <(jq -r '.results[0] | "\(.median) \(.min) \(.max)"' "$out/demo.json")
  tool="hyperfine -N --warmup 2 --runs $DEMO_RUNS"
else
  times=()
  "${demo[@]}" >/dev/null; "${demo[@]}" >/dev/null # warm the page cache, as hyperfine --warmup 2
  for _ in $(seq "$DEMO_RUNS"); do
    s=$(date +%s%N); "${demo[@]}" >/dev/null; e=$(date +%s%N)
    times+=("$(( (e - s) / 1000 ))")
  done
  read -r med min max < <(printf '%s\n' "${times[@]}" | sort -n |
    awk '{a[NR]=$1/1e6} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; print m, a[1], a[NR]}')
  tool="bash loop, date +%s%N"
fi
printf 'java -jar vmm.jar: median %.3f s (min %.3f, max %.3f; %s)  loadavg %s\n' "$med" "$min" "$max" "$tool" "$(loadavg)"
row "java -jar vmm.jar wall time (median of $DEMO_RUNS)" "$(printf '%.3f s' "$med")" "target < 2 s" \
  "$(awk -v m="$med" 'BEGIN {printf "%.2f", m / 2}')"
harness demo "${java_bench[@]}" io.minivmm.vmm.bench.DemoBench "$DEMO_RUNS"

section "5a. MemoryMapping u64 vs direct ByteBuffer (MemoryMappingBench)"
harness memory java -cp kvm-bindings/target/test-classes:vmm/target/vmm.jar io.minivmm.kvm.bench.MemoryMappingBench
awk '/^(read|write) (sequential|random)/ {
  printf "SUMMARY|MemoryMapping u64 %s %s|%s ns|ByteBuffer %s ns|%s\n", $1, $2, $3, $5, $7 }' "$out/memory.log" >>"$summary"

section "5b. Paging (PagingBench 10 31)"
harness paging java -cp "$cp" io.minivmm.vmm.bench.PagingBench 10 31
awk '{ m = "-"; for (i = 1; i < NF; i++) { if ($i == "median") v = $(i + 1); if ($i == "min") m = $(i + 1) } }
     /^boot tables/ { printf "SUMMARY|paging: boot tables, 64 GiB identity, 1 GiB pages|%s us|target < 1 ms|-\n", v }
     /^mapRegion/   { printf "SUMMARY|paging: mapRegion 1 GiB of 4 KiB pages, per page (median, min)|%s ns, %s ns|target <= 50 ns|-\n", v, m }
     /^query/       { printf "SUMMARY|paging: query every page, per page (median, min)|%s ns, %s ns|-|-\n", v, m }
     /^unmapRegion/ { printf "SUMMARY|paging: unmapRegion 1 GiB, per page (median, min)|%s ns, %s ns|-|-\n", v, m }' \
  "$out/paging.log" >>"$summary"

section "6. IDE PIO read throughput, 16 MiB (IdeBench ${IDE_MIB:-16} ${IDE_RUNS:-5})"
harness ide java -cp "$cp" io.minivmm.vmm.bench.IdeBench "${IDE_MIB:-16}" "${IDE_RUNS:-5}"

section "summary (ratio = Java / reference; reference = C unless stated)"
{
  echo "figure|minivmm (Java)|reference|ratio"
  echo "------|--------------|---------|-----"
  sed 's/^SUMMARY|//' "$summary"
} | column -t -s '|'
echo "loadavg at end: $(loadavg)"
