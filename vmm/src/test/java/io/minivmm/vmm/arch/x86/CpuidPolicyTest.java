package io.minivmm.vmm.arch.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.x86.CpuidEntry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** CPU models and toggles over a fixed supported list (the CI host's, AMD family 0x1a, nested KVM). */
class CpuidPolicyTest {
    static final List<CpuidEntry> HOST = List.of(
            new CpuidEntry(0, 0, 0, 0x1c, 0x68747541, 0x444d4163, 0x69746e65),
            new CpuidEntry(1, 0, 0, 0x00b00f21, 0x00020800, 0x81202000, 0x078bfbff),
            new CpuidEntry(7, 0, 1, 1, 0x01800002, 0x00000104, 0x20000000),
            new CpuidEntry(7, 1, 1, 0, 0, 0, 0),
            new CpuidEntry(0xb, 0, 1, 0, 1, 0x100, 0),
            new CpuidEntry(0xd, 0, 1, 0xe7, 0x980, 0x980, 0),
            new CpuidEntry(0xd, 1, 1, 0, 0, 0, 0),
            new CpuidEntry(0x80000000, 0, 0, 0x80000021, 0x68747541, 0x444d4163, 0x69746e65),
            new CpuidEntry(0x80000001, 0, 0, 0x00b00f21, 0x40000000, 0x00400393, 0x23d3fbff),
            new CpuidEntry(0x80000007, 0, 0, 0, 0, 0, 0x100),
            new CpuidEntry(0x80000008, 0, 0, 0x3030, 0x50020005, 0x7001, 0),
            new CpuidEntry(0x80000021, 0, 0, 0x204, 0, 6, 0),
            new CpuidEntry(0x40000000, 0, 0, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d),
            new CpuidEntry(0x40000001, 0, 0, 0x01007efb, 0, 0, 0));

    static CpuidEntry leaf(List<CpuidEntry> l, int fn, int idx) {
        return l.stream().filter(e -> e.function() == fn && e.index() == idx).findFirst().orElse(null);
    }

    static boolean has(List<CpuidEntry> l, String feature) {
        CpuidPolicy.Feature f = CpuidPolicy.feature(feature);
        CpuidEntry e = leaf(l, f.leaf(), f.subleaf());
        if (e == null) return false;
        int r = switch (f.reg()) {
            case EAX -> e.eax();
            case EBX -> e.ebx();
            case ECX -> e.ecx();
            case EDX -> e.edx();
        };
        return (r & f.mask()) == f.mask();
    }

    @Test
    void hostKeepsEverythingKvmSupportsAndFixesTopology() {
        List<CpuidEntry> l = CpuidPolicy.forModel(HOST, "host", 1, 2);
        assertEquals(HOST.size(), l.size());
        assertNotNull(leaf(l, 0xd, 0), "host keeps the XSAVE leaf KVM lists");
        for (String f : List.of("cx16", "x2apic", "tsc-deadline", "pv-send-ipi", "pv-sched-yield", "kvmclock",
                "nx", "amd-psfd", "tsc-adjust", "arch-capabilities", "lfence-always-serializing")) {
            assertTrue(has(l, f), f);
        }
        CpuidEntry l1 = leaf(l, 1, 0);
        assertEquals(1, l1.ebx() >>> 24, "APIC id");
        assertEquals(2, (l1.ebx() >>> 16) & 0xff, "logical count");
        assertTrue((l1.edx() & (1 << 28)) != 0, "HTT");
        assertEquals(1, leaf(l, 0xb, 0).edx(), "x2APIC id");
        assertTrue(has(l, "hypervisor"));
    }

    @Test
    void defaultHidesWhatThisHostCannotRun() {
        List<CpuidEntry> l = CpuidPolicy.forModel(HOST, "default", 0, 1);
        for (String f : CpuidPolicy.DEFAULT_HIDDEN_FEATURES) assertFalse(has(l, f), f);
        assertFalse(has(l, "xsave") || has(l, "osxsave") || has(l, "cx16"));
        assertEquals(null, leaf(l, 0xd, 0), "no XSAVE leaf without XSAVE");
        for (String f : List.of("x2apic", "tsc-deadline", "kvmclock", "pv-eoi", "nx", "lm", "arch-capabilities")) {
            assertTrue(has(l, f), f);
        }
        assertEquals(CpuidPolicy.forModel(HOST, "", 0, 1), l, "empty model = default");
        CpuidEntry l1 = leaf(l, 1, 0);
        assertEquals(0, l1.ebx() >>> 24);
        assertEquals(0, l1.edx() & (1 << 28), "no HTT for one CPU");
    }

    @Test
    void baselineIsAnSse2EraCpu() {
        List<CpuidEntry> l = CpuidPolicy.forModel(HOST, "baseline", 0, 1);
        for (String f : List.of("fpu", "tsc", "msr", "pae", "apic", "cmov", "fxsr", "sse", "sse2", "syscall", "nx",
                "lm", "lahf-lm", "kvmclock", "hypervisor", "xsaveerptr")) {
            assertTrue(has(l, f), f);
        }
        for (String f : List.of("xsave", "osxsave", "avx", "cx16", "popcnt", "pcid", "x2apic", "tsc-deadline",
                "tsc-adjust", "umip", "arch-capabilities", "amd-ssbd", "amd-stibp",
                "lfence-always-serializing", "amd-psfd", "clzero", "topoext", "ibpb-brtype", "pv-send-ipi", "pv-sched-yield", "pv-eoi", "steal-time", "invtsc")) {
            assertFalse(has(l, f), f);
        }
        assertEquals(null, leaf(l, 0xd, 0));
        assertEquals(1, leaf(l, 7, 0).eax(), "leaf 7 max subleaf kept");
        assertEquals(0x3030, leaf(l, 0x80000008, 0).eax(), "address sizes kept");
        assertEquals(0x00b00f21, leaf(l, 1, 0).eax(), "signature kept");
    }

    @Test
    void togglesApplyInOrderOnAnyModel() {
        List<CpuidEntry> l = CpuidPolicy.forModel(HOST, "baseline,+x2apic,+popcnt,-nx,+nx,-kvmclock", 0, 1);
        assertTrue(has(l, "x2apic"));
        assertTrue(has(l, "popcnt"), "+feat sets a bit KVM does not list: the caller asked for it");
        assertTrue(has(l, "nx"), "the later toggle wins");
        assertFalse(has(l, "kvmclock"));
        assertEquals(0, leaf(l, 0x40000001, 0).eax() & 9, "kvmclock = both clocksource bits");

        List<CpuidEntry> d = CpuidPolicy.forModel(HOST, "default,+pv-send-ipi,-tsc_deadline_timer,-x2apic", 0, 1);
        assertTrue(has(d, "pv-send-ipi"));
        assertFalse(has(d, "tsc-deadline"), "Linux spelling with underscores");
        assertFalse(has(d, "x2apic"));
        assertFalse(has(d, "pv-sched-yield"));

        List<CpuidEntry> x = CpuidPolicy.forModel(HOST, "default,+xsave", 0, 1);
        assertNotNull(leaf(x, 0xd, 0), "XSAVE back on: its leaf too");

        List<CpuidEntry> h = CpuidPolicy.forModel(HOST, "host,-hypervisor", 0, 1);
        assertFalse(has(h, "hypervisor"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"xsave", "osxsave", "avx", "avx2", "cx16", "popcnt", "pcid", "invpcid", "x2apic",
        "tsc-deadline", "pdpe1gb", "smep", "smap", "erms", "fsrm", "rdrand", "rdseed", "nx", "hypervisor", "kvmclock",
        "pv-send-ipi", "pv-sched-yield", "pv-eoi", "pv-unhalt", "pv-tlb-flush", "steal-time", "async-pf", "sse4_2",
        "TSC_DEADLINE_TIMER", "sse3", "md-clear", "spec-ctrl", "amd-ssbd", "arch-capabilities"})
    void knowsTheDocumentedFeatureNames(String name) {
        assertNotNull(CpuidPolicy.feature(name), name);
        CpuidPolicy.forModel(HOST, "host,-" + name + ",+" + name, 0, 1);
    }

    @Test
    void unknownModelOrFeatureIsAOneLineError() {
        var e = assertThrows(IllegalArgumentException.class, () -> CpuidPolicy.forModel(HOST, "pentium", 0, 1));
        assertTrue(e.getMessage().contains("'pentium'") && !e.getMessage().contains("\n"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CpuidPolicy.forModel(HOST, "host,-warp-drive", 0, 1));
        assertTrue(e.getMessage().contains("'warp-drive'") && !e.getMessage().contains("\n"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CpuidPolicy.forModel(HOST, "host,avx", 0, 1));
        assertTrue(e.getMessage().contains("'avx'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuidPolicy.forModel(HOST, "host,", 0, 1));
    }

    @Test
    void everyFeatureHasOneBitOrAKnownPair() {
        for (String n : CpuidPolicy.featureNames()) {
            CpuidPolicy.Feature f = CpuidPolicy.feature(n);
            assertEquals(n, f.name());
            assertTrue(Integer.bitCount(f.mask()) == 1 || n.equals("kvmclock"), n);
            assertEquals(n, n.toLowerCase(java.util.Locale.ROOT));
        }
    }
}
