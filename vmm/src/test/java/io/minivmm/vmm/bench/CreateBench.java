package io.minivmm.vmm.bench;

import static io.minivmm.kvm.sys.Uapi.KVM_EXIT_IO;

import java.lang.management.ManagementFactory;

/**
 * Not a test: VM creation to the first guest instruction (issue 2/4 target 3), 256 MiB of lazily
 * faulted RAM and one vCPU, Java against the C reference. Java does what
 * {@code c_reference.c} does, through minivmm's layers ({@link OutLoopGuest#create}): Kvm.open,
 * createVm, GuestMemory.create(256 MiB, LAZY), write the 4 code bytes, registerSlots,
 * createVcpu (maps kvm_run), get/set sregs and regs, first runRaw returning the {@code out}.
 *
 * <p>The first Java iteration runs first thing in a fresh JVM (cold: class loading, JNA binding,
 * interpreter); then ITER warm iterations alternate with runs of the C reference (a fresh process
 * each, so the C figure is always "cold" for C, which has nothing to warm up). Every iteration's
 * VM is closed (untimed) before the next.
 *
 * <pre>{@code
 * java -cp vmm/target/test-classes:vmm/target/vmm.jar -Dminivmm.bench.cref=native-stubs/target/bin/c-reference \
 *     io.minivmm.vmm.bench.CreateBench [ITER=15]
 * }</pre>
 */
public final class CreateBench {
    static final long MEM = 256L << 20;

    public static void main(String[] args) {
        int iter = args.length > 0 ? Integer.parseInt(args[0]) : 15;

        // Cold: nothing of minivmm or JNA has been loaded yet.
        long[] cold;
        try (OutLoopGuest g = OutLoopGuest.create(MEM)) {
            check(g);
            cold = g.phases.clone();
        }
        long uptimeMs = ManagementFactory.getRuntimeMXBean().getUptime();
        System.out.printf("VM creation to first exit, 256 MiB lazy, 1 vCPU; loadavg %s%n", Stats.loadavg());
        System.out.printf("java cold (first in a fresh JVM): %.3f ms (JVM uptime when done: %d ms)%n",
                (cold[cold.length - 1] - cold[0]) / 1e6, uptimeMs);
        printPhases("  cold", cold);

        double[] java = new double[iter];
        double[] c = new double[iter + 1];
        long[][] warm = new long[iter][];
        for (int i = 0; i <= iter; i++) {
            c[i] = CReference.run(1000, MEM >> 20).createToFirstExitNs();
            if (i == iter) break;
            try (OutLoopGuest g = OutLoopGuest.create(MEM)) {
                check(g);
                java[i] = g.createToFirstExitNs();
                warm[i] = g.phases.clone();
            }
        }
        for (int i = 0; i <= iter; i++) c[i] /= 1e3;
        for (int i = 0; i < iter; i++) java[i] /= 1e3;
        Stats js = Stats.of(java);
        Stats cs = Stats.of(c);
        System.out.printf("java warm  %s%n", js.fmt("us", 1));
        System.out.printf("c          %s%n", cs.fmt("us", 1));
        System.out.printf("ratio java/c: warm %.2f, cold %.2f   loadavg %s%n", js.median() / cs.median(),
                (cold[cold.length - 1] - cold[0]) / 1e3 / cs.median(), Stats.loadavg());
        // Warm phases: the iteration with the median total.
        int med = 0;
        for (int i = 0; i < iter; i++) if (java[i] == js.median()) med = i;
        printPhases("  warm (median iteration)", warm[med]);

        Stats.summary("create to first exit, warm (median of " + iter + ")", String.format("%.1f us", js.median()),
                String.format("%.1f us", cs.median()), String.format("%.2f", js.median() / cs.median()));
        Stats.summary("create to first exit, cold (first in JVM)",
                String.format("%.1f us", (cold[cold.length - 1] - cold[0]) / 1e3),
                String.format("%.1f us", cs.median()),
                String.format("%.2f", (cold[cold.length - 1] - cold[0]) / 1e3 / cs.median()));
    }

    private static void check(OutLoopGuest g) {
        if (g.firstExit != KVM_EXIT_IO || g.vcpu.ioPort() != OutLoopGuest.PORT) {
            throw new IllegalStateException("first exit " + g.firstExit + " is not the out to 0x80");
        }
    }

    private static void printPhases(String label, long[] t) {
        StringBuilder sb = new StringBuilder(label).append(':');
        for (int i = 0; i < OutLoopGuest.PHASES.length; i++) {
            sb.append(String.format(" %s %.1f us;", OutLoopGuest.PHASES[i], (t[i + 1] - t[i]) / 1e3));
        }
        System.out.println(sb);
    }
}
