package io.minivmm.kvm.x86;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The vCPU's XSAVE area ({@code struct kvm_xsave}): x87, SSE, AVX and whatever else the host's
 * XSAVE covers, in the standard (non-compacted) layout of CPUID leaf 0xD. At least 4096 bytes;
 * longer when KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) says so (e.g. AMX).
 * <pre>{@code
 * Xsave x = vcpu.getXsave();       // a snapshot keeps it whole
 * other.setXsave(x);
 * int mxcsr = x.mxcsr();
 * }</pre>
 * Opaque on purpose: restore it on a host with the same XSAVE layout.
 */
public record Xsave(byte[] region) {
    /** The legacy region's MXCSR (SDM vol. 1, 10.5.1, offset 24). */
    static final int MXCSR = 24;
    /** XSAVE header's XSTATE_BV (SDM vol. 1, 13.4.2, offset 512). */
    static final int XSTATE_BV = 512;
    /** The legacy region's XMM0 (offset 160, 16 bytes per register). */
    static final int XMM0 = 160;

    public Xsave {
        if (region.length < 4096 || region.length % 4 != 0) {
            throw new IllegalArgumentException("kvm_xsave is at least 4096 bytes, a multiple of 4: " + region.length);
        }
        region = region.clone();
    }

    @Override
    public byte[] region() { return region.clone(); }

    public int size() { return region.length; }

    private ByteBuffer le() { return ByteBuffer.wrap(region).order(ByteOrder.LITTLE_ENDIAN); }

    public int mxcsr() { return le().getInt(MXCSR); }

    /** Which state components the area holds (bit 0 x87, 1 SSE, 2 AVX, ...). */
    public long xstateBv() { return le().getLong(XSTATE_BV); }

    /** XMM register {@code i} (0-15), low 64 bits. */
    public long xmmLow(int i) {
        if (i < 0 || i > 15) throw new IllegalArgumentException("xmm" + i);
        return le().getLong(XMM0 + 16 * i);
    }

    @Override
    public boolean equals(Object o) { return o instanceof Xsave x && Arrays.equals(region, x.region); }

    @Override
    public int hashCode() { return Arrays.hashCode(region); }

    @Override
    public String toString() { return String.format("Xsave[%d bytes, xstate_bv=%x]", region.length, xstateBv()); }
}
