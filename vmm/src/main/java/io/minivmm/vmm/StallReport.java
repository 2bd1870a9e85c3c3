package io.minivmm.vmm;

import static io.minivmm.kvm.sys.Uapi.KVM_EXIT_MMIO;

import io.minivmm.kvm.VcpuFd;
import io.minivmm.kvm.x86.Regs;
import io.minivmm.kvm.x86.Sregs;
import io.minivmm.vmm.arch.x86.X86;
import io.minivmm.vmm.loader.Symbols;
import io.minivmm.vmm.vcpu.ExitLog;
import io.minivmm.vmm.vcpu.VcpuRunner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a timed-out guest was doing: each vCPU's mode and RIP (with its symbol), and the I/O
 * ports it hit most in the last second before the timeout (a guest polling an absent device
 * shows up at once: "port 0x1f7 in: 1.77M"), plus its most recent MMIO addresses.
 */
final class StallReport {
    private StallReport() {}

    /** How many ports and addresses each vCPU's section lists. */
    static final int TOP = 5;

    /**
     * Per-vCPU counts of I/O exits by port, sampled about once a second while the run waits, so
     * the report can say what happened in the last second rather than over the whole run.
     */
    static final class PortSampler {
        private final List<VcpuRunner> runners;
        private long[][] previous;
        private long[][] current;

        PortSampler(List<VcpuRunner> runners) {
            this.runners = runners; // nothing copied until the first tick: a run without a timeout never samples
        }

        private long[][] snapshot() {
            long[][] s = new long[runners.size()][];
            for (int i = 0; i < runners.size(); i++) {
                ExitLog log = runners.get(i).log();
                long[] c = new long[0x10000];
                log.copyPortCounts(c);
                s[i] = c;
            }
            return s;
        }

        /** Starts a new one-second window. */
        synchronized void tick() {
            previous = current;
            current = snapshot();
        }

        /** Exits by port of vCPU {@code i} since the start of the previous window (one to two seconds; the whole run if shorter). */
        synchronized Map<Integer, Long> recent(int i) {
            long[][] now = snapshot();
            Map<Integer, Long> out = new LinkedHashMap<>();
            for (int p = 0; p < 0x10000; p++) {
                long n = now[i][p] - (previous == null ? 0 : previous[i][p]);
                if (n > 0) out.put(p, n);
            }
            return out;
        }
    }

    /** The report; the vCPUs must have stopped (their threads joined). Never throws. */
    static String build(List<VcpuRunner> runners, PortSampler sampler, Supplier<byte[]> image) {
        StringBuilder sb = new StringBuilder("=== minivmm stall report (timeout) ===\n");
        Symbols symbols = null;
        try {
            symbols = Symbols.fromElf(image.get());
        } catch (RuntimeException ignored) {
            // not an ELF, or no symbols: RIPs stay numeric
        }
        for (int i = 0; i < runners.size(); i++) {
            VcpuRunner r = runners.get(i);
            VcpuFd v = r.vcpu();
            try {
                Regs regs = v.getRegs();
                Sregs s = v.getSregs();
                String sym = symbols == null ? null : symbols.lookup(regs.rip());
                sb.append(String.format("vcpu %d: %s mode, rip 0x%x%s, %d exits%n", v.id(), mode(s), regs.rip(),
                        sym == null ? "" : " <" + sym + ">", r.log().count()));
            } catch (RuntimeException e) {
                sb.append(String.format("vcpu %d: registers unavailable (%s)%n", v.id(), e.getMessage()));
            }
            Map<Integer, Long> ports = sampler.recent(i);
            if (!ports.isEmpty()) {
                sb.append("  hottest ports in the last second:");
                ports.entrySet().stream().sorted(Map.Entry.<Integer, Long>comparingByValue(Comparator.reverseOrder())).limit(TOP)
                        .forEach(e -> sb.append(String.format(" 0x%x x%d", e.getKey(), e.getValue())));
                sb.append('\n');
            }
            List<String> mmio = new ArrayList<>();
            for (ExitLog.Entry e : r.log().entries()) {
                if (e.reason() == KVM_EXIT_MMIO) mmio.add(String.format("0x%x %s", e.address(), e.write() ? "write" : "read"));
            }
            if (!mmio.isEmpty()) {
                sb.append("  recent MMIO: ").append(String.join(", ", mmio.subList(Math.max(0, mmio.size() - TOP), mmio.size())))
                        .append('\n');
            }
        }
        return sb.append("=== end of stall report ===\n").toString();
    }

    static String mode(Sregs s) {
        if ((s.cr0() & 1) == 0) return "real";
        if ((s.efer() & X86.EFER_LMA) != 0) return s.cs().l() ? "long (64-bit)" : "long (compatibility)";
        return "protected";
    }
}
