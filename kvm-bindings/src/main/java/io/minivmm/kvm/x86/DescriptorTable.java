package io.minivmm.kvm.x86;

/** GDTR/IDTR ({@code struct kvm_dtable}): base and limit. */
public record DescriptorTable(long base, int limit) {
    @Override
    public String toString() { return String.format("base=%016x limit=%04x", base, limit); }
}
