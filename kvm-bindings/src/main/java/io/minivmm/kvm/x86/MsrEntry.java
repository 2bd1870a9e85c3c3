package io.minivmm.kvm.x86;

/** One model-specific register ({@code struct kvm_msr_entry}). {@code new MsrEntry(0xc0000080, efer)} */
public record MsrEntry(int index, long data) {
    @Override
    public String toString() { return String.format("msr %08x=%016x", index, data); }
}
