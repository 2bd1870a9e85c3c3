package io.minivmm.kvm.x86;

/**
 * The answer of KVM_TRANSLATE: a guest-linear address walked through the vCPU's current paging
 * mode and page tables, as the MMU sees it ({@code struct kvm_translation}).
 * <pre>{@code
 * Translation t = vcpu.translate(0xffffffff81000000L);
 * if (t.valid()) read(t.physicalAddress());
 * }</pre>
 * A cross-check for a page walker of the VMM's own: KVM's view includes the TLB-free walk only.
 */
public record Translation(long linearAddress, long physicalAddress, boolean valid, boolean writeable,
                          boolean usermode) {
    @Override
    public String toString() {
        return valid ? String.format("%x -> %x%s%s", linearAddress, physicalAddress, writeable ? " w" : "",
                usermode ? " u" : "") : String.format("%x -> (not mapped)", linearAddress);
    }
}
