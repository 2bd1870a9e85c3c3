package io.minivmm.kvm.x86;

/**
 * x87/SSE state ({@code struct kvm_fpu}). {@code fpr} is 8×16 bytes, {@code xmm} 16×16 bytes.
 * <pre>{@code
 * vcpu.setFpu(Fpu.reset());   // FCW 0x37f, MXCSR 0x1f80: the state after FNINIT/power-on
 * }</pre>
 */
public record Fpu(byte[] fpr, int fcw, int fsw, int ftwx, int lastOpcode, long lastIp, long lastDp, byte[] xmm,
                  int mxcsr) {
    public Fpu {
        if (fpr.length != 128 || xmm.length != 256) throw new IllegalArgumentException("fpr 128 / xmm 256 bytes");
        fpr = fpr.clone();
        xmm = xmm.clone();
    }

    /** The power-on state: FCW 0x37f (all exceptions masked), MXCSR 0x1f80. */
    public static Fpu reset() { return new Fpu(new byte[128], 0x37f, 0, 0, 0, 0, 0, new byte[256], 0x1f80); }

    @Override
    public byte[] fpr() { return fpr.clone(); }

    @Override
    public byte[] xmm() { return xmm.clone(); }
}
