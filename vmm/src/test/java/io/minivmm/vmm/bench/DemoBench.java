package io.minivmm.vmm.bench;

import io.minivmm.vmm.Outcome;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.Vm;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Not a test: the embedded demo guest through the library API ({@code Vm.builder().build().run()},
 * 256 MiB, one vCPU, serial captured), as {@code java -jar vmm.jar} runs it. Prints, for the
 * first run in a fresh JVM (cold) and for RUNS more (warm): {@link RunResult#firstSerialByte()}
 * (from {@code run()} to the first byte on COM1) and {@link RunResult#wallTime()}. The process
 * wall time of {@code java -jar vmm.jar} itself is measured from outside by {@code bench/run.sh}.
 *
 * <pre>{@code
 * java -cp vmm/target/test-classes:vmm/target/vmm.jar io.minivmm.vmm.bench.DemoBench [RUNS=10]
 * }</pre>
 */
public final class DemoBench {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        RunResult cold = runOnce();
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        System.out.printf("demo via the library, 256 MiB, 1 vCPU; loadavg %s%n", Stats.loadavg());
        System.out.printf("cold (first run in a fresh JVM): first serial byte %.2f ms, run() %.2f ms, %d exits; "
                + "JVM uptime after it %d ms%n", ms(cold.firstSerialByte()), ms(cold.wallTime()), cold.totalExits(), uptime);
        double[] first = new double[runs];
        double[] wall = new double[runs];
        for (int i = 0; i < runs; i++) {
            RunResult r = runOnce();
            first[i] = ms(r.firstSerialByte());
            wall[i] = ms(r.wallTime());
        }
        Stats f = Stats.of(first);
        Stats w = Stats.of(wall);
        System.out.printf("warm first serial byte %s%n", f.fmt("ms", 2));
        System.out.printf("warm run()             %s   loadavg %s%n", w.fmt("ms", 2), Stats.loadavg());
        Stats.summary("demo: run() to first serial byte, cold", String.format("%.1f ms", ms(cold.firstSerialByte())), "-", "-");
        Stats.summary("demo: run() to first serial byte, warm (median of " + runs + ")",
                String.format("%.2f ms", f.median()), "-", "-");
        Stats.summary("demo: run() wall time, cold / warm median", String.format("%.1f / %.2f ms", ms(cold.wallTime()),
                w.median()), "-", "-");
    }

    private static RunResult runOnce() throws Exception {
        RunResult r = Vm.builder().build().run();
        if (r.outcome() != Outcome.GUEST_EXIT || r.exitStatus() != 0 || r.firstSerialByte() == null) {
            throw new IllegalStateException("demo did not end cleanly: " + r.outcome() + " " + r.message());
        }
        return r;
    }

    private static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }
}
