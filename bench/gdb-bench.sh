#!/usr/bin/env bash
# The gdb stub benchmark (issue 12): the same gdb script (bench/gdb-bench.py) against minivmm's
# stub and QEMU's gdbstub with KVM, on the same Multiboot guest (guest/src/asm/gdbmb.elf32.S).
# Usage: bash bench/gdb-bench.sh   (after mvn package; ROUNDS=300 STEPS=300 by default)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
guest="$here/guest/target/classes/guests/gdbmb.elf"
jar="$here/vmm/target/vmm.jar"
log=$(mktemp -d)
run_gdb() { # port
  timeout 300 gdb -batch -nx -ex 'set architecture i386:x86-64' -ex "file $guest" \
      -ex "target remote 127.0.0.1:$1" -x "$here/bench/gdb-bench.py" 2>&1 | grep -E "RESULT|rror|Python" || true
}
echo "date: $(date -Is)  loadavg: $(cat /proc/loadavg)"
echo "== minivmm"
port=$((20000 + RANDOM % 20000))
java -jar "$jar" --kernel "$guest" --mem 64M --gdb "127.0.0.1:$port" --gdb-wait --timeout 300s -q >"$log/vm.out" 2>&1 &
vm=$!
sleep 3
run_gdb "$port"
wait "$vm" || true
echo "== QEMU $(qemu-system-x86_64 --version | head -n1) -accel kvm"
port=$((20000 + RANDOM % 20000))
qemu-system-x86_64 -accel kvm -m 64 -kernel "$guest" -display none -serial null -monitor none \
    -gdb "tcp:127.0.0.1:$port" -S >"$log/qemu.out" 2>&1 &
qemu=$!
sleep 3
run_gdb "$port"
kill "$qemu" 2>/dev/null || true
wait "$qemu" 2>/dev/null || true
rm -rf "$log"
