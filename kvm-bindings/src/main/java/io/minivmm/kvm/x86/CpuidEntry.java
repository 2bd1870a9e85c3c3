package io.minivmm.kvm.x86;

/**
 * One CPUID leaf ({@code struct kvm_cpuid_entry2}).
 * <pre>{@code
 * CpuidEntry leaf1 = supported.stream().filter(e -> e.function() == 1).findFirst().orElseThrow();
 * CpuidEntry noXsave = leaf1.withEcx(leaf1.ecx() & ~(1 << 26));
 * }</pre>
 */
public record CpuidEntry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {
    /** kvm.h KVM_CPUID_FLAG_SIGNIFCANT_INDEX: the leaf has sub-leaves selected by ECX. */
    public static final int FLAG_SIGNIFICANT_INDEX = 1;

    public CpuidEntry withEax(int v) { return new CpuidEntry(function, index, flags, v, ebx, ecx, edx); }
    public CpuidEntry withEbx(int v) { return new CpuidEntry(function, index, flags, eax, v, ecx, edx); }
    public CpuidEntry withEcx(int v) { return new CpuidEntry(function, index, flags, eax, ebx, v, edx); }
    public CpuidEntry withEdx(int v) { return new CpuidEntry(function, index, flags, eax, ebx, ecx, v); }

    @Override
    public String toString() {
        return String.format("cpuid %08x.%x: eax=%08x ebx=%08x ecx=%08x edx=%08x", function, index, eax, ebx, ecx, edx);
    }
}
