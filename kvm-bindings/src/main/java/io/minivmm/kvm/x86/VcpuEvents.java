package io.minivmm.kvm.x86;

/**
 * Pending and injected events of a vCPU ({@code struct kvm_vcpu_events}): exception, interrupt,
 * NMI, SIPI vector. {@code raw} keeps the 64 bytes it came from, so fields this record does not
 * name (SMM state, exception payload) survive a get/modify/set cycle.
 * <pre>{@code
 * VcpuEvents ev = vcpu.getVcpuEvents();
 * vcpu.setVcpuEvents(ev.withException(3, false, 0));   // inject #BP
 * }</pre>
 */
public record VcpuEvents(boolean exceptionInjected, int exceptionNr, boolean exceptionHasErrorCode,
                         boolean exceptionPending, int exceptionErrorCode, boolean interruptInjected,
                         int interruptNr, boolean interruptSoft, int interruptShadow, boolean nmiInjected,
                         boolean nmiPending, boolean nmiMasked, int sipiVector, int flags, byte[] raw) {
    public VcpuEvents {
        if (raw.length != 64) throw new IllegalArgumentException("kvm_vcpu_events is 64 bytes");
        raw = raw.clone();
    }

    @Override
    public byte[] raw() { return raw.clone(); }

    // Fields kept in raw only (asm/kvm.h struct kvm_vcpu_events: smi at 24, triple_fault at 28,
    // exception_has_payload at 55, exception_payload at 56), valid when flags say so.

    /** smi.smm: the vCPU is in system-management mode (valid with flag VALID_SMM, 0x8). */
    public boolean smm() { return raw[24] != 0; }

    /** smi.pending: an SMI is pending. */
    public boolean smiPending() { return raw[25] != 0; }

    /** smi.smm_inside_nmi. */
    public boolean smmInsideNmi() { return raw[26] != 0; }

    /** smi.latched_init: an INIT arrived while in SMM. */
    public boolean latchedInit() { return raw[27] != 0; }

    /** triple_fault.pending (valid with flag VALID_TRIPLE_FAULT, 0x20). */
    public boolean tripleFaultPending() { return raw[28] != 0; }

    /** exception_has_payload (valid with flag VALID_PAYLOAD, 0x10). */
    public boolean exceptionHasPayload() { return raw[55] != 0; }

    /** exception_payload: CR2 for #PF, DR6 bits for #DB. */
    public long exceptionPayload() {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (raw[56 + i] & 0xff);
        return v;
    }

    @Override
    public boolean equals(Object o) {
        // The named fields are encoded over raw, so two events are equal when their struct bytes are.
        return o instanceof VcpuEvents e && java.util.Arrays.equals(encoded(), e.encoded());
    }

    @Override
    public int hashCode() { return java.util.Arrays.hashCode(encoded()); }

    /** raw with the named fields written over it: the bytes KVM_SET_VCPU_EVENTS would get. */
    private byte[] encoded() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(raw.clone()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) (exceptionInjected ? 1 : 0)).put(1, (byte) exceptionNr)
                .put(2, (byte) (exceptionHasErrorCode ? 1 : 0)).put(3, (byte) (exceptionPending ? 1 : 0))
                .putInt(4, exceptionErrorCode).put(8, (byte) (interruptInjected ? 1 : 0)).put(9, (byte) interruptNr)
                .put(10, (byte) (interruptSoft ? 1 : 0)).put(11, (byte) interruptShadow)
                .put(12, (byte) (nmiInjected ? 1 : 0)).put(13, (byte) (nmiPending ? 1 : 0))
                .put(14, (byte) (nmiMasked ? 1 : 0)).putInt(16, sipiVector).putInt(20, flags);
        return b.array();
    }

    /** A copy that injects exception {@code vector} (with an error code when {@code hasErrorCode}). */
    public VcpuEvents withException(int vector, boolean hasErrorCode, int errorCode) {
        return new VcpuEvents(true, vector, hasErrorCode, false, errorCode, interruptInjected, interruptNr,
                interruptSoft, interruptShadow, nmiInjected, nmiPending, nmiMasked, sipiVector, flags, raw);
    }
}
