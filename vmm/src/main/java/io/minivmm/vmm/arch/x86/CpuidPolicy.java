package io.minivmm.vmm.arch.x86;

import io.minivmm.kvm.x86.CpuidEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CPUID leaves a guest sees: a CPU model applied to KVM's supported list
 * ({@code KVM_GET_SUPPORTED_CPUID}), then per-vCPU topology (APIC ids).
 *
 * <h2>Models</h2>
 * <dl>
 *   <dt>{@code host}</dt>
 *   <dd>Everything KVM supports, unchanged except for the per-vCPU fix-ups below. On the nested
 *       hosts minivmm's CI runs on this includes XSAVE/OSXSAVE and CMPXCHG16B, which the host's
 *       instruction emulator cannot execute for a guest at CPL0, and KVM's PV send-IPI and
 *       sched-yield, which hang the second vCPU of a Linux SMP boot there.</dd>
 *   <dt>{@code default}</dt>
 *   <dd>{@code host} minus {@link #DEFAULT_HIDDEN_FEATURES}: {@code xsave}, {@code osxsave} (and leaf 0xd,
 *       the XSAVE state leaf) and {@code cx16}, because the host emulator rejects
 *       {@code xsave/xrstor/xsetbv} and {@code cmpxchg16b} at CPL0; {@code pv-send-ipi} and
 *       {@code pv-sched-yield}, because the hypercalls they enable never return on this host's
 *       secondary vCPUs. Everything else of {@code host} is kept: measured in
 *       docs/BENCHMARKS-linux.md, {@code host}, {@code default} and {@code baseline} boot Linux
 *       equally fast here (what made the boot slow was the missing MP table, not CPUID).</dd>
 *   <dt>{@code baseline}</dt>
 *   <dd>A conservative x86-64 CPU in the spirit of QEMU's {@code qemu64}: the SSE2-era leaf 1 EDX
 *       set, SSE3 and nothing newer in leaf 1 ECX (no CX16, POPCNT, PCID, x2APIC, TSC-deadline,
 *       XSAVE, AVX), no leaf 7 features (no SMEP/SMAP/ERMS/INVPCID/AVX2/FSRM/mitigation bits), no
 *       XSAVE leaf, {@code syscall nx lm} and {@code lahf_lm} in 0x80000001, no speculation-control
 *       bits in 0x80000008/0x80000021 (but {@code xsaveerptr}, see below), and of KVM's paravirtual
 *       leaf only kvmclock, no-I/O-delay and the clock-stable bit. Each bit is also limited to what
 *       KVM supports. {@code xsaveerptr} (AMD 0x80000008 EBX bit 2) stays when KVM offers it: without
 *       it Linux runs {@code fnclex; emms; fildl} on every FPU state restore (the AMD FXSAVE-leak
 *       workaround), x87 instructions this nested host cannot emulate at CPL0, so the first return to
 *       user mode ends in a KVM internal error ({@code -xsaveerptr} reproduces it).</dd>
 * </dl>
 * A model is followed by toggles, {@code baseline,+popcnt,-nx}: {@code +feat} sets the feature's
 * bits (even when KVM does not list them: the caller asked for it), {@code -feat} clears them.
 * Names are Linux's {@code /proc/cpuinfo} names, lower case, with {@code _} and {@code -}
 * interchangeable ({@code tsc_deadline_timer} = {@code tsc-deadline}, {@code sse4_2} = {@code sse4-2});
 * KVM's paravirtual bits use QEMU-like names ({@code kvmclock}, {@code pv-send-ipi}, ...).
 * See {@link #featureNames()}.
 *
 * <h2>Per-vCPU fix-ups (every model)</h2>
 * Leaf 1 EBX[31:24] = the APIC id, EBX[23:16] = the logical processor count (and EDX HTT when
 * more than one), leaves 0xb/0x1f EDX = the x2APIC id, leaf 1 ECX hypervisor bit set unless
 * {@code -hypervisor} asks otherwise.
 *
 * <h2>Limits of this host</h2>
 * A toggle always changes what {@code KVM_SET_CPUID2} receives, which is all a VMM can do. On the
 * nested KVM of minivmm's CI the guest does not see all of it (measured with the cpuiddump guest,
 * docs/BENCHMARKS-linux.md): leaf 1 ECX bits KVM lists (cx16, x2apic, tsc-deadline, hypervisor)
 * follow the VMM, and so does a bit the hardware lacks ({@code +pcid}), but the other bits the
 * hardware has (sse3..sse4.2, popcnt, xsave, avx, aes, movbe, rdrand, ...) are always set; leaf 1
 * EDX and all of leaf 7 (smep, smap, erms, fsrm, avx2, ...) are the hardware's whatever the VMM
 * sets. So {@code -popcnt}, {@code -xsave}, {@code -smap}, {@code -erms} cannot hide those
 * instructions there; the kernel command line must ({@code noxsave clearcpuid=popcnt,smap}).
 * Leaves 0x80000001, 0x80000008 and KVM's 0x40000001 follow the VMM exactly.
 */
public final class CpuidPolicy {
    private CpuidPolicy() {}

    /** Register of a CPUID leaf. */
    public enum Reg { EAX, EBX, ECX, EDX }

    /** A named feature: bits {@code mask} of register {@code reg} of leaf {@code leaf}.{@code subleaf}. */
    public record Feature(String name, int leaf, int subleaf, Reg reg, int mask) {
        // Written out: a record's generated equals/hashCode bootstrap method handles on first
        // use (~9 ms of a CLI start), and features are map keys on every start.
        @Override public boolean equals(Object o) {
            return o instanceof Feature f && f.name.equals(name) && f.leaf == leaf && f.subleaf == subleaf
                    && f.reg == reg && f.mask == mask;
        }

        @Override public int hashCode() {
            return name.hashCode() * 31 + leaf;
        }
    }

    /** CPUID.1:ECX bit 31 hypervisor present. */
    public static final int LEAF1_ECX_HYPERVISOR = 1 << 31;
    /** KVM's paravirtual feature leaf. */
    public static final int KVM_CPUID_FEATURES = 0x40000001;

    /** Every feature the default model hides, by name. */
    public static final List<String> DEFAULT_HIDDEN_FEATURES = List.of("xsave", "osxsave", "cx16", "pv-send-ipi",
            "pv-sched-yield");

    private static final Map<String, Feature> FEATURES = new LinkedHashMap<>();

    private static void f(String name, int leaf, int subleaf, Reg reg, int bit) {
        fm(name, leaf, subleaf, reg, 1 << bit);
    }

    private static void fm(String name, int leaf, int subleaf, Reg reg, int mask) {
        if (FEATURES.put(name, new Feature(name, leaf, subleaf, reg, mask)) != null) throw new AssertionError(name);
    }

    static {
        // Leaf 1 EDX.
        String[] l1edx = {"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", null, "sep", "mtrr",
            "pge", "mca", "cmov", "pat", "pse36", "pn", "clflush", null, "dts", "acpi", "mmx", "fxsr", "sse", "sse2",
            "ss", "ht", "tm", "ia64", "pbe"};
        for (int i = 0; i < 32; i++) if (l1edx[i] != null) f(l1edx[i], 1, 0, Reg.EDX, i);
        // Leaf 1 ECX.
        String[] l1ecx = {"pni", "pclmulqdq", "dtes64", "monitor", "ds-cpl", "vmx", "smx", "est", "tm2", "ssse3",
            "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm", null, "pcid", "dca", "sse4-1", "sse4-2", "x2apic", "movbe",
            "popcnt", "tsc-deadline", "aes", "xsave", "osxsave", "avx", "f16c", "rdrand", "hypervisor"};
        for (int i = 0; i < 32; i++) if (l1ecx[i] != null) f(l1ecx[i], 1, 0, Reg.ECX, i);
        // Leaf 7.0 EBX.
        String[] l7ebx = {"fsgsbase", "tsc-adjust", "sgx", "bmi1", "hle", "avx2", "fdp-excptn-only", "smep", "bmi2",
            "erms", "invpcid", "rtm", "cqm", "zero-fcs-fds", "mpx", "rdt-a", "avx512f", "avx512dq", "rdseed", "adx",
            "smap", "avx512ifma", null, "clflushopt", "clwb", "intel-pt", "avx512pf", "avx512er", "avx512cd",
            "sha-ni", "avx512bw", "avx512vl"};
        for (int i = 0; i < 32; i++) if (l7ebx[i] != null) f(l7ebx[i], 7, 0, Reg.EBX, i);
        // Leaf 7.0 ECX.
        f("avx512vbmi", 7, 0, Reg.ECX, 1);
        f("umip", 7, 0, Reg.ECX, 2);
        f("pku", 7, 0, Reg.ECX, 3);
        f("ospke", 7, 0, Reg.ECX, 4);
        f("waitpkg", 7, 0, Reg.ECX, 5);
        f("avx512-vbmi2", 7, 0, Reg.ECX, 6);
        f("gfni", 7, 0, Reg.ECX, 8);
        f("vaes", 7, 0, Reg.ECX, 9);
        f("vpclmulqdq", 7, 0, Reg.ECX, 10);
        f("avx512-vnni", 7, 0, Reg.ECX, 11);
        f("avx512-bitalg", 7, 0, Reg.ECX, 12);
        f("avx512-vpopcntdq", 7, 0, Reg.ECX, 14);
        f("la57", 7, 0, Reg.ECX, 16);
        f("rdpid", 7, 0, Reg.ECX, 22);
        f("movdiri", 7, 0, Reg.ECX, 27);
        f("movdir64b", 7, 0, Reg.ECX, 28);
        // Leaf 7.0 EDX.
        f("fsrm", 7, 0, Reg.EDX, 4);
        f("avx512-vp2intersect", 7, 0, Reg.EDX, 8);
        f("md-clear", 7, 0, Reg.EDX, 10);
        f("serialize", 7, 0, Reg.EDX, 14);
        f("tsxldtrk", 7, 0, Reg.EDX, 16);
        f("arch-lbr", 7, 0, Reg.EDX, 19);
        f("ibt", 7, 0, Reg.EDX, 20);
        f("amx-bf16", 7, 0, Reg.EDX, 22);
        f("avx512-fp16", 7, 0, Reg.EDX, 23);
        f("amx-tile", 7, 0, Reg.EDX, 24);
        f("amx-int8", 7, 0, Reg.EDX, 25);
        f("spec-ctrl", 7, 0, Reg.EDX, 26);
        f("intel-stibp", 7, 0, Reg.EDX, 27);
        f("flush-l1d", 7, 0, Reg.EDX, 28);
        f("arch-capabilities", 7, 0, Reg.EDX, 29);
        f("core-capabilities", 7, 0, Reg.EDX, 30);
        f("spec-ctrl-ssbd", 7, 0, Reg.EDX, 31);
        // Leaf 7.1 EAX.
        f("avx-vnni", 7, 1, Reg.EAX, 4);
        f("avx512-bf16", 7, 1, Reg.EAX, 5);
        // Leaf 0xd.1 EAX.
        f("xsaveopt", 0xd, 1, Reg.EAX, 0);
        f("xsavec", 0xd, 1, Reg.EAX, 1);
        f("xgetbv1", 0xd, 1, Reg.EAX, 2);
        f("xsaves", 0xd, 1, Reg.EAX, 3);
        // 0x80000001 EDX / ECX.
        f("syscall", 0x80000001, 0, Reg.EDX, 11);
        f("mp", 0x80000001, 0, Reg.EDX, 19);
        f("nx", 0x80000001, 0, Reg.EDX, 20);
        f("mmxext", 0x80000001, 0, Reg.EDX, 22);
        f("fxsr-opt", 0x80000001, 0, Reg.EDX, 25);
        f("pdpe1gb", 0x80000001, 0, Reg.EDX, 26);
        f("rdtscp", 0x80000001, 0, Reg.EDX, 27);
        f("lm", 0x80000001, 0, Reg.EDX, 29);
        f("3dnowext", 0x80000001, 0, Reg.EDX, 30);
        f("3dnow", 0x80000001, 0, Reg.EDX, 31);
        String[] e1ecx = {"lahf-lm", "cmp-legacy", "svm", "extapic", "cr8-legacy", "abm", "sse4a", "misalignsse",
            "3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt", null, "lwp", "fma4", "tce", null, "nodeid-msr", null,
            "tbm", "topoext", "perfctr-core", "perfctr-nb", null, "bpext", "ptsc", "perfctr-llc", "mwaitx", null, null};
        for (int i = 0; i < 32; i++) if (e1ecx[i] != null) f(e1ecx[i], 0x80000001, 0, Reg.ECX, i);
        // 0x80000007 EDX bit 8: invariant TSC (Linux: constant_tsc nonstop_tsc).
        f("invtsc", 0x80000007, 0, Reg.EDX, 8);
        // 0x80000008 EBX (AMD).
        f("clzero", 0x80000008, 0, Reg.EBX, 0);
        f("irperf", 0x80000008, 0, Reg.EBX, 1);
        f("xsaveerptr", 0x80000008, 0, Reg.EBX, 2);
        f("rdpru", 0x80000008, 0, Reg.EBX, 4);
        f("wbnoinvd", 0x80000008, 0, Reg.EBX, 9);
        f("amd-ibpb", 0x80000008, 0, Reg.EBX, 12);
        f("amd-ibrs", 0x80000008, 0, Reg.EBX, 14);
        f("amd-stibp", 0x80000008, 0, Reg.EBX, 15);
        f("amd-stibp-always-on", 0x80000008, 0, Reg.EBX, 17);
        f("amd-ssbd", 0x80000008, 0, Reg.EBX, 24);
        f("virt-ssbd", 0x80000008, 0, Reg.EBX, 25);
        f("amd-ssb-no", 0x80000008, 0, Reg.EBX, 26);
        f("amd-psfd", 0x80000008, 0, Reg.EBX, 28);
        f("btc-no", 0x80000008, 0, Reg.EBX, 29);
        f("ibpb-brtype", 0x80000008, 0, Reg.EBX, 30);
        // 0x80000021 EAX (AMD).
        f("no-nested-data-bp", 0x80000021, 0, Reg.EAX, 0);
        f("lfence-always-serializing", 0x80000021, 0, Reg.EAX, 2);
        f("null-sel-clr-base", 0x80000021, 0, Reg.EAX, 6);
        f("auto-ibrs", 0x80000021, 0, Reg.EAX, 8);
        f("no-smm-ctl-msr", 0x80000021, 0, Reg.EAX, 9);
        // KVM paravirtual features, 0x40000001 EAX (include/uapi/asm/kvm_para.h).
        fm("kvmclock", KVM_CPUID_FEATURES, 0, Reg.EAX, 1 | 1 << 3); // KVM_FEATURE_CLOCKSOURCE, CLOCKSOURCE2
        f("nop-io-delay", KVM_CPUID_FEATURES, 0, Reg.EAX, 1);
        f("mmu-op", KVM_CPUID_FEATURES, 0, Reg.EAX, 2);
        f("async-pf", KVM_CPUID_FEATURES, 0, Reg.EAX, 4);
        f("steal-time", KVM_CPUID_FEATURES, 0, Reg.EAX, 5);
        f("pv-eoi", KVM_CPUID_FEATURES, 0, Reg.EAX, 6);
        f("pv-unhalt", KVM_CPUID_FEATURES, 0, Reg.EAX, 7);
        f("pv-tlb-flush", KVM_CPUID_FEATURES, 0, Reg.EAX, 9);
        f("async-pf-vmexit", KVM_CPUID_FEATURES, 0, Reg.EAX, 10);
        f("pv-send-ipi", KVM_CPUID_FEATURES, 0, Reg.EAX, 11);
        f("poll-control", KVM_CPUID_FEATURES, 0, Reg.EAX, 12);
        f("pv-sched-yield", KVM_CPUID_FEATURES, 0, Reg.EAX, 13);
        f("async-pf-int", KVM_CPUID_FEATURES, 0, Reg.EAX, 14);
        f("msi-ext-dest-id", KVM_CPUID_FEATURES, 0, Reg.EAX, 15);
        f("hc-map-gpa-range", KVM_CPUID_FEATURES, 0, Reg.EAX, 16);
        f("migration-control", KVM_CPUID_FEATURES, 0, Reg.EAX, 17);
        f("kvmclock-stable-bit", KVM_CPUID_FEATURES, 0, Reg.EAX, 24);
    }

    /** Aliases: other spellings Linux or QEMU use for the same bits. */
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("sse3", "pni"), Map.entry("tsc-deadline-timer", "tsc-deadline"), Map.entry("sha", "sha-ni"),
            Map.entry("lahf", "lahf-lm"), Map.entry("kvm-pv-ipi", "pv-send-ipi"),
            Map.entry("kvm-pv-sched-yield", "pv-sched-yield"), Map.entry("kvm-pv-eoi", "pv-eoi"),
            Map.entry("kvm-pv-unhalt", "pv-unhalt"), Map.entry("kvm-pv-tlb-flush", "pv-tlb-flush"),
            Map.entry("kvm-steal-time", "steal-time"), Map.entry("kvm-asyncpf", "async-pf"),
            Map.entry("kvm-asyncpf-int", "async-pf-int"), Map.entry("kvm-nopiodelay", "nop-io-delay"),
            Map.entry("kvm-poll-control", "poll-control"), Map.entry("kvmclock-stable", "kvmclock-stable-bit"),
            Map.entry("constant-tsc", "invtsc"), Map.entry("nonstop-tsc", "invtsc"));

    /** The models {@link #forModel} knows. */
    public static final List<String> MODELS = List.of("default", "host", "baseline");

    /** Baseline masks per (leaf, subleaf, register); registers not listed are kept as KVM reports them. */
    private static final Map<Long, int[]> BASELINE = new TreeMap<>();

    private static void baseline(int leaf, int subleaf, String... names) {
        int[] m = BASELINE.get(key(leaf, subleaf)); // not computeIfAbsent: no lambda to link at start (docs/STARTUP.md)
        if (m == null) BASELINE.put(key(leaf, subleaf), m = new int[4]);
        for (String n : names) {
            Feature ft = FEATURES.get(n);
            if (ft.leaf() != leaf || ft.subleaf() != subleaf) throw new AssertionError(n);
            m[ft.reg().ordinal()] |= ft.mask();
        }
    }

    static {
        // qemu64: the SSE2-era CPU QEMU shows by default (target/i386/cpu.c), minus what KVM lacks.
        baseline(1, 0, "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca",
                "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2", "pni", "hypervisor");
        baseline(7, 0);
        baseline(7, 1);
        baseline(0x80000001, 0, "syscall", "nx", "lm", "lahf-lm");
        baseline(0x80000007, 0);
        // AMD: without XSAVEERPTR Linux applies the FXSAVE-leak workaround (fnclex; emms; fildl
        // on every FPU restore, X86_BUG_FXSAVE_LEAK), x87 code the nested host cannot emulate at
        // CPL0: the first return to user mode then fails with a KVM internal error. Measured.
        baseline(0x80000008, 0, "xsaveerptr");
        baseline(0x80000021, 0);
        baseline(KVM_CPUID_FEATURES, 0, "kvmclock", "nop-io-delay", "kvmclock-stable-bit");
    }

    /** Registers of a (leaf, subleaf) the baseline model masks: all but the ones that carry sizes, not features. */
    private static boolean baselineMasks(int leaf, Reg r) {
        return switch (leaf) {
            case 1 -> r == Reg.ECX || r == Reg.EDX;              // EAX signature, EBX ids: kept
            case 7 -> true;                                      // EAX of 7.0 = max subleaf: kept below
            case 0x80000001 -> r == Reg.ECX || r == Reg.EDX;
            case 0x80000007 -> r == Reg.EDX;
            case 0x80000008 -> r == Reg.EBX;                     // EAX address sizes, ECX core count: kept
            case 0x80000021 -> true;
            case KVM_CPUID_FEATURES -> r == Reg.EAX;
            default -> false;
        };
    }

    private static long key(int leaf, int subleaf) { return (leaf & 0xffffffffL) << 32 | (subleaf & 0xffffffffL); }

    /** Every feature name {@link #forModel} accepts in a toggle (aliases aside), in table order. */
    public static List<String> featureNames() { return List.copyOf(FEATURES.keySet()); }

    /** The feature called {@code name} (any spelling), or null. */
    public static Feature feature(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return FEATURES.get(ALIASES.getOrDefault(n, n));
    }

    /**
     * A parsed {@code --cpu} value: the model and its toggles in order.
     *
     * @param model   one of {@link #MODELS}
     * @param toggles feature to on/off, in the order given (a later toggle of the same feature wins)
     */
    public record Model(String model, Map<Feature, Boolean> toggles) {}

    /**
     * Parses {@code MODEL[,+feat|,-feat...]}. An empty model name means {@code default}.
     *
     * @throws IllegalArgumentException naming the unknown model or feature, or the malformed toggle
     */
    public static Model parse(String spec) {
        String[] parts = spec.split(",", -1);
        String base = parts[0].trim().toLowerCase(Locale.ROOT);
        if (base.isEmpty()) base = "default";
        if (!MODELS.contains(base)) {
            throw new IllegalArgumentException("unknown CPU model '" + parts[0].trim() + "' (known: "
                    + String.join(", ", MODELS) + ")");
        }
        Map<Feature, Boolean> toggles = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String t = parts[i].trim();
            if (t.length() < 2 || (t.charAt(0) != '+' && t.charAt(0) != '-')) {
                throw new IllegalArgumentException("CPU feature toggle '" + t + "' in '" + spec
                        + "' must be +feature or -feature");
            }
            Feature ft = feature(t.substring(1));
            if (ft == null) throw new IllegalArgumentException("unknown CPU feature '" + t.substring(1) + "' in '" + spec + "'");
            toggles.remove(ft);
            toggles.put(ft, t.charAt(0) == '+');
        }
        return new Model(base, Collections.unmodifiableMap(toggles));
    }

    /**
     * The leaves for vCPU {@code apicId} of {@code cpus} under CPU model {@code model}
     * ({@code default}, {@code host}, {@code baseline}, with {@code ,+feat}/{@code ,-feat} toggles).
     *
     * @throws IllegalArgumentException for an unknown model or feature name
     */
    public static List<CpuidEntry> forModel(List<CpuidEntry> supported, String model, int apicId, int cpus) {
        return forModel(supported, parse(model), apicId, cpus);
    }

    /** As {@link #forModel(List, String, int, int)} for an already parsed model. */
    public static List<CpuidEntry> forModel(List<CpuidEntry> supported, Model model, int apicId, int cpus) {
        Map<Feature, Boolean> toggles = new LinkedHashMap<>();
        if (model.model().equals("default")) {
            for (String n : DEFAULT_HIDDEN_FEATURES) toggles.put(FEATURES.get(n), false);
        }
        for (var t : model.toggles().entrySet()) {
            toggles.remove(t.getKey());
            toggles.put(t.getKey(), t.getValue());
        }
        boolean baseline = model.model().equals("baseline");

        Map<Long, int[]> regs = new LinkedHashMap<>();
        Map<Long, CpuidEntry> first = new LinkedHashMap<>();
        for (CpuidEntry e : supported) {
            long k = key(e.function(), e.index());
            if (regs.containsKey(k)) continue;
            int[] r = {e.eax(), e.ebx(), e.ecx(), e.edx()};
            if (baseline) {
                int[] keep = BASELINE.get(key(e.function(), e.function() == 7 ? e.index() : 0));
                if (keep != null && (e.function() != 7 || e.index() <= 1)) {
                    for (Reg reg : Reg.values()) {
                        if (baselineMasks(e.function(), reg)) r[reg.ordinal()] &= keep[reg.ordinal()];
                    }
                    if (e.function() == 7 && e.index() == 0) r[0] = e.eax(); // max subleaf
                }
                if (e.function() == 7 && e.index() > 1) continue;
            }
            regs.put(k, r);
            first.put(k, e);
        }
        for (var t : toggles.entrySet()) {
            Feature ft = t.getKey();
            long k = key(ft.leaf(), ft.subleaf());
            int[] r = regs.get(k);
            if (r == null) {
                if (!t.getValue()) continue;
                r = new int[4];
                regs.put(k, r);
                first.put(k, new CpuidEntry(ft.leaf(), ft.subleaf(),
                        ft.leaf() == 7 || ft.leaf() == 0xd ? CpuidEntry.FLAG_SIGNIFICANT_INDEX : 0, 0, 0, 0, 0));
            }
            int i = ft.reg().ordinal();
            r[i] = t.getValue() ? r[i] | ft.mask() : r[i] & ~ft.mask();
        }
        boolean hideHypervisor = Boolean.FALSE.equals(toggles.get(FEATURES.get("hypervisor")));
        // KVM may leave XSAVE out of leaf 1 and still list leaf 0xd (this CI host does): the state
        // leaf goes only when the model or a toggle hides XSAVE.
        Boolean xsaveToggle = toggles.get(FEATURES.get("xsave"));
        boolean xsave = xsaveToggle != null ? xsaveToggle : !baseline;

        List<CpuidEntry> out = new ArrayList<>(regs.size());
        for (var en : regs.entrySet()) {
            CpuidEntry e0 = first.get(en.getKey());
            int[] r = en.getValue();
            int fn = e0.function();
            if (fn == 0xd && !xsave) continue; // no XSAVE: no XSAVE state leaf
            int eax = r[0], ebx = r[1], ecx = r[2], edx = r[3];
            switch (fn) {
                case 1 -> {
                    ebx = (ebx & 0x0000ffff) | (apicId << 24) | ((cpus & 0xff) << 16);
                    if (cpus > 1) edx |= 1 << 28; // HTT: EBX[23:16] is valid
                    if (!hideHypervisor) ecx |= LEAF1_ECX_HYPERVISOR;
                }
                case 0xb, 0x1f -> edx = apicId;
                default -> {}
            }
            out.add(new CpuidEntry(fn, e0.index(), e0.flags(), eax, ebx, ecx, edx));
        }
        return out;
    }

    /** Whether the supported list offers 1 GiB pages (CPUID.80000001H:EDX bit 26). */
    public static boolean has1GPages(List<CpuidEntry> supported) {
        return extendedEdxBit(supported, 26);
    }

    /** Whether the supported list offers NX (CPUID.80000001H:EDX bit 20). */
    public static boolean hasNx(List<CpuidEntry> supported) {
        return extendedEdxBit(supported, 20);
    }

    private static boolean extendedEdxBit(List<CpuidEntry> supported, int bit) {
        for (CpuidEntry e : supported) {
            if (e.function() == 0x80000001 && (e.edx() & (1 << bit)) != 0) return true;
        }
        return false;
    }
}
