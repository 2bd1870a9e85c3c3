#!/usr/bin/env bash
# Where the start-up of one CLI run goes (docs/STARTUP.md): runs the CLI N times with
# -Xlog:class+load (uptime decorations) and prints, per run, the JVM uptime at which milestones
# were first reached, then the medians. A milestone is the first class of a phase being loaded,
# so each figure is "time until the phase began"; "end" is the last class loaded, "wall" the
# process wall time seen from this script.
#   bash bench/startup-profile.sh [RUNS] [-- JAVA...]   (default: 7 runs of java -jar vmm/target/vmm.jar)
# e.g. bash bench/startup-profile.sh 7 -- vmm/target/vmm       (the launcher: JAVA_OPTS carries -Xlog)
# The guest is bench/tiny-pvh.S (built here with as/ld); the CLI arguments are --kernel tiny.elf.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-7}; shift || true
[ "${1:-}" = "--" ] && shift
cmd=("$@"); [ ${#cmd[@]} -gt 0 ] || cmd=(java -jar "$root/vmm/target/vmm.jar")
out=$root/bench/target/profile; mkdir -p "$out"
bash "$root/bench/build-tiny.sh" "$out" >/dev/null
for i in $(seq "$runs"); do
  log=(-Xlog:class+load:file="$out/cl.$i.txt":uptime)
  s=$(date +%s%N)
  if [ "${cmd[0]}" = java ] || [[ "${cmd[0]}" == */java ]]; then
    "${cmd[0]}" "${log[@]}" "${cmd[@]:1}" --kernel "$out/tiny.elf" >"$out/out.$i.txt" 2>&1 || true
  else
    JAVA_OPTS="${log[*]}" "${cmd[@]}" --kernel "$out/tiny.elf" >"$out/out.$i.txt" 2>&1 || true
  fi
  e=$(date +%s%N)
  echo "$(( (e - s) / 1000000 )) $out/cl.$i.txt"
done | python3 "$root/bench/startup-milestones.py" | tee "$out/summary.txt"
echo "loadavg: $(cut -d' ' -f1-3 /proc/loadavg)"
