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

    /** A copy that injects exception {@code vector} (with an error code when {@code hasErrorCode}). */
    public VcpuEvents withException(int vector, boolean hasErrorCode, int errorCode) {
        return new VcpuEvents(true, vector, hasErrorCode, false, errorCode, interruptInjected, interruptNr,
                interruptSoft, interruptShadow, nmiInjected, nmiPending, nmiMasked, sipiVector, flags, raw);
    }
}
