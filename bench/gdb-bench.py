# gdb -batch -x bench/gdb-bench.py: breakpoint round trip and stepi rate on the gdbmb guest.
# Run by bench/gdb-bench.sh against minivmm and QEMU alike (same guest, same script).
import os, time
import gdb

N = int(os.environ.get("ROUNDS", "300"))
S = int(os.environ.get("STEPS", "300"))
gdb.execute("hbreak lm_target")
gdb.execute("continue", to_string=True)
# Set after the first stop: QEMU's firmware copies the kernel in after gdb attached.
gdb.execute("set var *(long*)&bench = 1")
t = time.perf_counter()
for _ in range(N):
    gdb.execute("continue", to_string=True)
dt = time.perf_counter() - t
print("RESULT breakpoint round trip (continue -> stop, hbreak): %.0f us over %d" % (dt / N * 1e6, N))
gdb.execute("delete")
t = time.perf_counter()
for _ in range(S):
    gdb.execute("stepi", to_string=True)
dt = time.perf_counter() - t
print("RESULT stepi: %.0f us each, %.0f steps/s over %d" % (dt / S * 1e6, S / dt, S))
gdb.execute("kill")
