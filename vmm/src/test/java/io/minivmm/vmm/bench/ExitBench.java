package io.minivmm.vmm.bench;

import static io.minivmm.kvm.sys.Uapi.KVM_EXIT_INTR;
import static io.minivmm.kvm.sys.Uapi.KVM_EXIT_IO;
import static io.minivmm.kvm.sys.Uapi.KVM_EXIT_IO_OUT;

import io.minivmm.kvm.VcpuExit;
import io.minivmm.kvm.VcpuFd;
import io.minivmm.vmm.devices.MmioBus;
import io.minivmm.vmm.devices.PioBus;
import io.minivmm.vmm.devices.PioDevice;
import io.minivmm.vmm.vcpu.ExitLog;
import io.minivmm.vmm.vcpu.VcpuHost;
import io.minivmm.vmm.vcpu.VcpuRunner;
import java.lang.management.ManagementFactory;

/**
 * Not a test: the VM-exit round trip (issue 2/4 targets 1 and 2). The guest of
 * {@code c_reference.c} ({@code out 0x80, al; jmp .-2} in real mode at 0x1000, 256 MiB) is run
 * four ways, in one process, alternating (the Java variants in a rotating order), on the same machine:
 * <ol>
 *   <li>{@code c}: the C reference, a separate process ({@link CReference}), before every Java
 *       round and once more after the last;</li>
 *   <li>{@code raw}: {@link VcpuFd#runRaw()} in a bare loop checking reason, direction and port,
 *       as the C loop does;</li>
 *   <li>{@code runner}: {@link VcpuRunner} with a {@link PioBus} where port 0x80 is registered to a
 *       counting no-op device, and a {@link VcpuHost} whose {@code stopping()} turns true once
 *       the device has seen N writes (the vCPU thread sets the flag itself and the loop checks
 *       it before every KVM_RUN, so no kick is needed);</li>
 *   <li>{@code runner-unclaimed}: the same with port 0x80 (the x86 I/O-delay port) unclaimed, as
 *       in {@code Vm}: the bus's unclaimed path and its listener count.</li>
 * </ol>
 * Each Java variant is warmed up (WARMUP exits, in calls of WARMUP_CALL) before the rounds; each round times EXITS
 * exits per variant. Bytes allocated by this (the vCPU) thread over the timed exits come from
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}, less the cost of the two
 * calls themselves (measured back to back).
 *
 * <pre>{@code
 * java -cp vmm/target/test-classes:vmm/target/vmm.jar -Dminivmm.bench.cref=native-stubs/target/bin/c-reference \
 *     io.minivmm.vmm.bench.ExitBench [EXITS=20000] [ROUNDS=5] [WARMUP=30000]
 * }</pre>
 */
public final class ExitBench {
    static final long MEM = 256L << 20;
    static final long WARMUP_CALL = 100;
    static final int BUS_CALLS = 2_000_000;

    /** Port 0x80 device and host in one: counts writes, asks the loop to stop after {@code target}. */
    static final class Counter implements PioDevice, VcpuHost {
        long remaining;
        boolean stop;
        long writes;

        void arm(long n) {
            remaining = n;
            stop = false;
        }

        void hit() {
            writes++;
            if (--remaining <= 0) stop = true;
        }

        @Override public int read(int offset, int size) { return 0; }
        @Override public void write(int offset, int size, int value) { hit(); }
        @Override public boolean stopping() { return stop; }

        @Override
        public void fatal(VcpuFd vcpu, VcpuExit exit, ExitLog log) {
            throw new IllegalStateException("unexpected exit " + exit);
        }

        @Override
        public void systemEvent(VcpuFd vcpu, int type) {
            throw new IllegalStateException("unexpected system event " + type);
        }
    }

    interface Variant {
        /** Runs exactly n out-0x80 exits; returns how many KVM_EXIT_INTR it saw on the way. */
        long run(long n);
    }

    static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static long allocated() {
        return MX.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    public static void main(String[] args) {
        long exits = args.length > 0 ? Long.parseLong(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long warmup = args.length > 2 ? Long.parseLong(args[2]) : 30_000;
        System.out.printf("VM-exit round trip: out 0x80 in real mode, 256 MiB, %d exits timed per run, %d rounds, "
                + "%d warm-up exits per Java variant; loadavg %s%n", exits, rounds, warmup, Stats.loadavg());

        try (OutLoopGuest g = OutLoopGuest.create(MEM)) {
            VcpuFd vcpu = g.vcpu;
            if (g.firstExit != KVM_EXIT_IO || vcpu.ioPort() != OutLoopGuest.PORT) {
                throw new IllegalStateException("first exit " + g.firstExit + " is not the out to 0x80");
            }
            vcpu.enableSyncRegs(g.kvm); // as Vm does (the runner records exitRip())

            Variant raw = n -> rawLoop(vcpu, n);

            Counter claimedDev = new Counter();
            PioBus claimedBus = new PioBus();
            claimedBus.register(OutLoopGuest.PORT, 1, claimedDev, "bench-0x80");
            VcpuRunner claimedRunner = new VcpuRunner(vcpu, claimedBus, new MmioBus(), claimedDev, null);
            Variant runner = n -> runnerLoop(claimedRunner, claimedDev, n);

            Counter unclaimedDev = new Counter();
            PioBus unclaimedBus = new PioBus();
            unclaimedBus.setUnclaimedListener((write, address, size, value, count) -> unclaimedDev.hit());
            VcpuRunner unclaimedRunner = new VcpuRunner(vcpu, unclaimedBus, new MmioBus(), unclaimedDev, null);
            Variant runnerUnclaimed = n -> runnerLoop(unclaimedRunner, unclaimedDev, n);

            String[] names = {"raw", "runner", "runner-unclaimed"};
            Variant[] variants = {raw, runner, runnerUnclaimed};

            // Warm-up: twice through every variant, so each loop and what it calls gets compiled.
            // Warm-up in calls of WARMUP_CALL exits, so that each loop method is entered hundreds of
            // times and the JIT compiles it as a normal method, not only as an on-stack replacement
            // (with two long calls, rawLoop and VcpuRunner.loop were still being recompiled during
            // the timed rounds). The first half also shows the allocation counter works: before C2
            // has compiled the unclaimed path, it boxes its port (a Long) for the HashMap lookup.
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < variants.length; i++) {
                    long b0 = allocated();
                    for (long done = 0; done < warmup / 2; done += WARMUP_CALL) variants[i].run(WARMUP_CALL);
                    if (pass == 0) {
                        System.out.printf("warm-up %-17s first %d exits: %.3f B/exit allocated (before C2; includes one-time class loading)%n",
                                names[i], warmup / 2, (double) (allocated() - b0) / (warmup / 2));
                    }
                }
            }
            long a0 = allocated();
            long a1 = allocated();
            long probe = a1 - a0; // what one getThreadAllocatedBytes call allocates

            double[] c = new double[rounds + 1];
            double[][] ns = new double[variants.length][rounds];
            double[][] bytes = new double[variants.length][rounds];
            long[] intr = new long[variants.length];
            for (int r = 0; r <= rounds; r++) {
                CReference.Result cr = CReference.run(exits, MEM >> 20);
                c[r] = cr.roundtripNs();
                System.out.printf("round %d  c %9.1f ns", r + 1, c[r]);
                if (r == rounds) {
                    System.out.println("   (final C run)");
                    break;
                }
                for (int k = 0; k < variants.length; k++) {
                    int i = (k + r) % variants.length; // rotate the order: no variant always runs right after C
                    long b0 = allocated();
                    long t0 = System.nanoTime();
                    intr[i] += variants[i].run(exits);
                    long t1 = System.nanoTime();
                    long b1 = allocated();
                    ns[i][r] = (double) (t1 - t0) / exits;
                    bytes[i][r] = (double) (b1 - b0 - probe) / exits;
                    System.out.printf("  %s %9.1f ns %6.3f B/exit", names[i], ns[i][r], bytes[i][r]);
                }
                System.out.printf("   loadavg %s%n", Stats.loadavg());
            }

            Stats cs = Stats.of(c);
            System.out.printf("%-17s %s%n", "c", cs.fmt("ns", 1));
            double[][] paired = new double[variants.length][rounds];
            for (int i = 0; i < variants.length; i++) {
                Stats s = Stats.of(ns[i]);
                Stats b = Stats.of(bytes[i]);
                double total = 0;
                for (int r = 0; r < rounds; r++) {
                    total += bytes[i][r] * exits;
                    // Load drifts on a shared host: also compare each Java run with the C runs
                    // right before and after it.
                    paired[i][r] = ns[i][r] / ((c[r] + c[r + 1]) / 2);
                }
                Stats p = Stats.of(paired[i]);
                System.out.printf("%-17s %s  ratio of medians %.3f  paired ratio %s  KVM_EXIT_INTR seen %d%n", names[i],
                        s.fmt("ns", 1), s.median() / cs.median(), p.fmt("", 3), intr[i]);
                System.out.printf("%-17s alloc %s, %.0f B in total over %d timed exits%n", "", b.fmt("B/exit", 3), total,
                        exits * rounds);
            }
            // The Java dispatch work alone, without KVM: PioBus.write for port 0x80, claimed and
            // unclaimed. This is what the runner variants add to an exit besides reading kvm_run,
            // so it bounds the dispatch cost independently of the (noisy) exit itself.
            double[] busNs = new double[2];
            long[] busBytes = new long[2];
            PioBus[] buses = {claimedBus, unclaimedBus};
            Counter[] devs = {claimedDev, unclaimedDev};
            for (int bI = 0; bI < 2; bI++) {
                double[] per = new double[7];
                for (int rep = -3; rep < per.length; rep++) {
                    devs[bI].arm(Long.MAX_VALUE);
                    long b0 = allocated();
                    long t0 = System.nanoTime();
                    for (int k = 0; k < BUS_CALLS; k++) buses[bI].write(OutLoopGuest.PORT, 1, k);
                    long t1 = System.nanoTime();
                    long b1 = allocated();
                    if (rep >= 0) {
                        per[rep] = (double) (t1 - t0) / BUS_CALLS;
                        busBytes[bI] += b1 - b0 - probe;
                    }
                }
                busNs[bI] = Stats.of(per).median();
            }
            System.out.printf("bus only (no KVM): PioBus.write(0x80) claimed %.1f ns, unclaimed %.1f ns per call "
                    + "(median of 7 x %d calls); allocated %d B / %d B over all 7 x %d calls%n", busNs[0], busNs[1],
                    BUS_CALLS, busBytes[0], busBytes[1], BUS_CALLS);
            System.out.printf("(getThreadAllocatedBytes probe cost subtracted: %d B; loadavg at end %s)%n", probe,
                    Stats.loadavg());
            for (int i = 0; i < variants.length; i++) {
                Stats s = Stats.of(ns[i]);
                Stats.summary("exit round trip, " + names[i] + " (median of " + rounds + "; paired ratio median "
                        + String.format("%.3f", Stats.of(paired[i]).median()) + ")",
                        String.format("%.1f ns", s.median()), String.format("%.1f ns", cs.median()),
                        String.format("%.3f", s.median() / cs.median()));
            }
            Stats.summary("dispatch alone, PioBus.write(0x80) claimed / unclaimed (no KVM)",
                    String.format("%.1f / %.1f ns", busNs[0], busNs[1]), "-", "-");
            for (int i = 0; i < variants.length; i++) {
                Stats b = Stats.of(bytes[i]);
                double total = 0;
                for (int r = 0; r < rounds; r++) total += bytes[i][r] * exits;
                Stats.summary("allocation per exit, " + names[i], String.format("%.3f B/exit (max %.3f; %.0f B in %d exits)",
                        b.median(), b.max(), total, exits * rounds), "target 0", "-");
            }
        }
    }

    /** The C loop in Java: KVM_RUN, check it is the out to 0x80, resume. */
    static long rawLoop(VcpuFd vcpu, long n) {
        long handled = 0;
        long intr = 0;
        while (handled < n) {
            int reason = vcpu.runRaw();
            if (reason == KVM_EXIT_IO && vcpu.ioDirection() == KVM_EXIT_IO_OUT && vcpu.ioPort() == OutLoopGuest.PORT) {
                handled++;
            } else if (reason == KVM_EXIT_INTR) {
                intr++;
                vcpu.clearImmediateExit();
            } else {
                throw new IllegalStateException("unexpected exit reason " + reason);
            }
        }
        return intr;
    }

    static long runnerLoop(VcpuRunner runner, Counter dev, long n) {
        long intr0 = runner.log().byReason(KVM_EXIT_INTR);
        long writes0 = dev.writes;
        dev.arm(n);
        runner.run();
        if (dev.writes - writes0 != n) throw new IllegalStateException("ran " + (dev.writes - writes0) + " exits, not " + n);
        return runner.log().byReason(KVM_EXIT_INTR) - intr0;
    }
}
