package io.minivmm.vmm.arch.x86;

import io.minivmm.kvm.x86.CpuidEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPUID leaves a guest sees: KVM's supported list, with per-vCPU APIC ids and topology, and
 * the features this host cannot run for a guest at CPL0 hidden (see {@link #DEFAULT_HIDDEN}).
 */
public final class CpuidPolicy {
    private CpuidPolicy() {}

    /** CPUID.1:ECX bit 26 XSAVE, 27 OSXSAVE: the host's instruction emulator rejects the xsave family. */
    public static final int LEAF1_ECX_XSAVE = 1 << 26, LEAF1_ECX_OSXSAVE = 1 << 27;
    /** CPUID.1:ECX bit 24 TSC-deadline (fine), 31 hypervisor present. */
    public static final int LEAF1_ECX_HYPERVISOR = 1 << 31;
    /** CPUID.1:ECX bit 13 CMPXCHG16B: rejected by the host emulator. */
    public static final int LEAF1_ECX_CX16 = 1 << 13;
    /** KVM_CPUID_FEATURES (0x40000001) EAX: bit 11 PV_SEND_IPI, bit 13 PV_SCHED_YIELD (hang SMP boot here). */
    public static final int KVM_FEATURE_PV_SEND_IPI = 1 << 11, KVM_FEATURE_PV_SCHED_YIELD = 1 << 13;

    /** What the default model hides, as (leaf 1 ECX mask). */
    public static final int DEFAULT_HIDDEN = LEAF1_ECX_XSAVE | LEAF1_ECX_OSXSAVE | LEAF1_ECX_CX16;

    /**
     * The leaves for vCPU {@code apicId} of {@code cpus}: leaf 1 EBX[31:24] = APIC id and
     * EBX[23:16] = logical processor count, leaf 0xb x2APIC id in EDX, hypervisor bit set,
     * {@code hideLeaf1Ecx} cleared in leaf 1 ECX, XSAVE leaf 0xd dropped when XSAVE is hidden,
     * KVM's PV send-IPI and sched-yield features hidden.
     */
    public static List<CpuidEntry> forVcpu(List<CpuidEntry> supported, int apicId, int cpus, int hideLeaf1Ecx) {
        List<CpuidEntry> out = new ArrayList<>(supported.size());
        for (CpuidEntry e : supported) {
            switch (e.function()) {
                case 1 -> {
                    int ebx = (e.ebx() & 0x0000ffff) | (apicId << 24) | ((cpus & 0xff) << 16);
                    int edx = cpus > 1 ? e.edx() | (1 << 28) : e.edx(); // HTT: EBX[23:16] is valid
                    e = new CpuidEntry(1, e.index(), e.flags(), e.eax(), ebx, (e.ecx() & ~hideLeaf1Ecx) | LEAF1_ECX_HYPERVISOR, edx);
                }
                case 0xb, 0x1f -> e = e.withEdx(apicId);
                case 0xd -> {
                    if ((hideLeaf1Ecx & LEAF1_ECX_XSAVE) != 0) continue;
                }
                case 0x40000001 -> e = e.withEax(e.eax() & ~(KVM_FEATURE_PV_SEND_IPI | KVM_FEATURE_PV_SCHED_YIELD));
                default -> {}
            }
            out.add(e);
        }
        return out;
    }

    /**
     * The leaves for vCPU {@code apicId} of {@code cpus} under CPU model {@code model}
     * ({@code default}, {@code host}, {@code baseline}, with {@code ,+feat}/{@code ,-feat} toggles).
     *
     * @throws IllegalArgumentException for an unknown model or feature name
     */
    public static List<CpuidEntry> forModel(List<CpuidEntry> supported, String model, int apicId, int cpus) {
        String base = model.split(",", 2)[0].trim();
        int hidden = switch (base) {
            case "default", "" -> DEFAULT_HIDDEN;
            case "host" -> 0;
            default -> throw new IllegalArgumentException("unknown CPU model '" + base + "' (known: default, host)");
        };
        if (model.contains(",")) throw new IllegalArgumentException("CPU feature toggles are not supported yet: " + model);
        return forVcpu(supported, apicId, cpus, hidden);
    }

    /** Whether the supported list offers 1 GiB pages (CPUID.80000001H:EDX bit 26). */
    public static boolean has1GPages(List<CpuidEntry> supported) {
        return supported.stream().anyMatch(e -> e.function() == 0x80000001 && (e.edx() & (1 << 26)) != 0);
    }

    /** Whether the supported list offers NX (CPUID.80000001H:EDX bit 20). */
    public static boolean hasNx(List<CpuidEntry> supported) {
        return supported.stream().anyMatch(e -> e.function() == 0x80000001 && (e.edx() & (1 << 20)) != 0);
    }
}
