package io.minivmm.vmm.bench;

import io.minivmm.kvm.Kvm;

/**
 * Not a test: where the cold {@code Kvm.open()} goes, in a fresh JVM (run it as its own process;
 * {@code bench/run.sh} runs it three times). Initialises, in order and timed one by one: JNA's
 * {@code Native} class (loads {@code libjnidispatch.so}, extracting it from the jar), minivmm's
 * {@code LibC} ({@code Native.register} of libc, which first initialises JNA's
 * {@code NativeLibrary}), {@code NativeStubs} (finds and loads {@code libminivmm.so}, what the first
 * {@code VcpuFd.bindToCurrentThread()} pays), then {@code Kvm.open()} twice. Classes are loaded by
 * name, so this package imports nothing from JNA.
 *
 * <pre>{@code
 * java -cp vmm/target/test-classes:vmm/target/vmm.jar io.minivmm.vmm.bench.ColdStartBench
 * }</pre>
 */
public final class ColdStartBench {
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        Class.forName("com.sun.jna.Native");
        long t1 = System.nanoTime();
        Class.forName("io.minivmm.kvm.sys.LibC");
        long t2 = System.nanoTime();
        Class.forName("io.minivmm.kvm.sys.NativeStubs");
        long t3 = System.nanoTime();
        try (Kvm k = Kvm.open()) {
            long t4 = System.nanoTime();
            try (Kvm k2 = Kvm.open()) {
                long t5 = System.nanoTime();
                System.out.printf("cold start: JNA Native init %.1f ms, LibC Native.register %.1f ms, NativeStubs "
                                + "(libminivmm.so) %.1f ms, first Kvm.open %.2f ms, second Kvm.open %.3f ms; loadavg %s%n",
                        (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6, (t5 - t4) / 1e6,
                        Stats.loadavg());
            }
        }
    }
}
