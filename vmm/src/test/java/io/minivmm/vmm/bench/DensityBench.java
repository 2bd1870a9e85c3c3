package io.minivmm.vmm.bench;

import io.minivmm.vmm.Outcome;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.Vm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Not a test: N tiny guests running at once in this one JVM through the library
 * ({@code Vm.builder().kernel(...).build().run()} on N threads, all released together), the
 * density figure of bench/startup.sh. Prints one line: the wall time from release until the last
 * guest ended, how many ended with debug-exit status 0, and this process's peak RSS (VmHWM).
 *
 * <pre>{@code
 * java -cp vmm/target/test-classes:vmm/target/vmm.jar io.minivmm.vmm.bench.DensityBench TINY.ELF [N=50] [MEM_MIB=32]
 * }</pre>
 */
public final class DensityBench {
    public static void main(String[] args) throws Exception {
        Path kernel = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        long mem = (args.length > 2 ? Long.parseLong(args[2]) : 32) << 20;
        byte[] image = Files.readAllBytes(kernel);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<Future<RunResult>> runs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            runs.add(pool.submit(() -> {
                go.await();
                try (Vm vm = Vm.builder().image(kernel.getFileName().toString(), image).memory(mem)
                        .timeout(Duration.ofSeconds(120)).build()) {
                    return vm.run();
                }
            }));
        }
        long t0 = System.nanoTime();
        go.countDown();
        int ok = 0;
        for (Future<RunResult> f : runs) {
            RunResult r = f.get();
            if (r.outcome() == Outcome.GUEST_EXIT && r.exitStatus() == 0) ok++;
        }
        long t1 = System.nanoTime();
        pool.shutdown();
        System.out.printf("DENSITY|library|%d|%.3f|%d|%d%n", n, (t1 - t0) / 1e9, ok, vmHwmKib());
    }

    /** Peak resident set of this process, KiB. */
    static long vmHwmKib() throws java.io.IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
        return -1;
    }
}
