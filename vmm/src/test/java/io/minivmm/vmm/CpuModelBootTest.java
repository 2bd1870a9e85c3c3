package io.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.Kvm;
import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.kvm.x86.CpuidEntry;
import io.minivmm.vmm.arch.x86.CpuMode;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a guest's CPUID instruction returns under {@code --cpu} models and toggles, read by the
 * cpuiddump guest. Only registers KVM honours on every host are asserted: leaf 1 ECX bits KVM
 * lists, and the 0x80000001, 0x80000008 and KVM leaves (on the nested CI host other leaf 1 and
 * all leaf 7 bits come from the hardware, see CpuidPolicy).
 */
@RequiresKvm
class CpuModelBootTest {
    static byte[] guest;
    static List<CpuidEntry> supported;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = CpuModelBootTest.class.getResourceAsStream("/guests/cpuiddump.bin")) {
            assertNotNull(in, "/guests/cpuiddump.bin missing: build the guest module");
            guest = in.readAllBytes();
        }
        try (Kvm kvm = Kvm.open()) {
            supported = kvm.supportedCpuid();
        }
    }

    /** Leaf -> {eax, ebx, ecx, edx} as the guest printed them. */
    static Map<Integer, int[]> run(String model) throws Exception {
        RunResult r = Vm.builder().image("cpuiddump", guest).raw(0x100000, 0x100000, CpuMode.LONG).memory(4 << 20)
                .cpu(model).timeout(Duration.ofSeconds(30)).build().run();
        assertEquals(Outcome.GUEST_EXIT, r.outcome(), r.message());
        Map<Integer, int[]> m = new HashMap<>();
        for (String line : r.serialText().split("\n")) {
            String[] f = line.trim().split("[: ]+");
            if (f.length != 5) continue;
            int[] v = new int[4];
            for (int i = 0; i < 4; i++) v[i] = Integer.parseUnsignedInt(f[i + 1], 16);
            m.put(Integer.parseUnsignedInt(f[0], 16), v);
        }
        assertEquals(5, m.size(), r.serialText());
        return m;
    }

    static int sup(int leaf, int reg) {
        CpuidEntry e = supported.stream().filter(x -> x.function() == leaf && x.index() == 0).findFirst().orElse(null);
        if (e == null) return 0;
        return switch (reg) {
            case 0 -> e.eax();
            case 1 -> e.ebx();
            case 2 -> e.ecx();
            default -> e.edx();
        };
    }

    static final int KVM = 0x40000001, EAX = 0, EBX = 1, ECX = 2, EDX = 3;

    @Test
    void hostShowsKvmsParavirtualFeatures() throws Exception {
        Map<Integer, int[]> m = run("host");
        assertEquals(sup(KVM, EAX), m.get(KVM)[EAX]);
        assertTrue(m.get(1)[ECX] < 0, "hypervisor bit");
    }

    @Test
    void defaultHidesCx16AndTheSmpHangingPvFeatures() throws Exception {
        Map<Integer, int[]> m = run("default");
        assertEquals(0, m.get(1)[ECX] & (1 << 13), "cx16");
        assertEquals(sup(KVM, EAX) & ~(1 << 11 | 1 << 13), m.get(KVM)[EAX]);
        assertEquals(sup(0x80000001, EDX), m.get(0x80000001)[EDX]);
    }

    @Test
    void togglesReachTheGuest() throws Exception {
        Map<Integer, int[]> m = run("default,-x2apic,-kvmclock,+pv-send-ipi,-nx");
        assertEquals(0, m.get(1)[ECX] & (1 << 21), "x2apic");
        assertEquals(sup(KVM, EAX) & ~(1 | 1 << 3 | 1 << 13), m.get(KVM)[EAX]);
        assertEquals(sup(0x80000001, EDX) & ~(1 << 20), m.get(0x80000001)[EDX], "nx");
    }

    @Test
    void baselineExtendedLeavesAreQemu64Like() throws Exception {
        Map<Integer, int[]> m = run("baseline");
        assertEquals(sup(0x80000001, EDX) & (1 << 11 | 1 << 20 | 1 << 29), m.get(0x80000001)[EDX], "syscall nx lm");
        assertEquals(sup(0x80000001, ECX) & 1, m.get(0x80000001)[ECX], "lahf_lm");
        assertEquals(sup(0x80000008, EBX) & (1 << 2), m.get(0x80000008)[EBX], "only xsaveerptr");
        assertEquals(sup(0x80000008, EAX), m.get(0x80000008)[EAX], "address sizes");
        assertEquals(sup(KVM, EAX) & (1 | 1 << 1 | 1 << 3 | 1 << 24), m.get(KVM)[EAX], "kvmclock, nop-io-delay, stable");
        assertEquals(0, m.get(1)[ECX] & (1 << 13 | 1 << 21 | 1 << 24), "no cx16, x2apic, tsc-deadline");
    }

    @Test
    void unknownModelFailsTheBuildOfTheRun() {
        var e = assertThrows(IllegalArgumentException.class, () -> run("host,+warp-drive"));
        assertTrue(e.getMessage().contains("warp-drive"), e.getMessage());
    }
}
