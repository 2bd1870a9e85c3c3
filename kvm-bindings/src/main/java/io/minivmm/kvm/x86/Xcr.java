package io.minivmm.kvm.x86;

/**
 * One extended control register ({@code struct kvm_xcr}); XCR0 (index 0) selects the state
 * components XSAVE manages.
 * <pre>{@code
 * List<Xcr> xcrs = vcpu.getXcrs();   // [xcr0=0x7] with x87|SSE|AVX enabled
 * vcpu.setXcrs(List.of(new Xcr(0, 0x3)));
 * }</pre>
 */
public record Xcr(int index, long value) {
    @Override
    public String toString() { return String.format("xcr%d=%x", index, value); }
}
