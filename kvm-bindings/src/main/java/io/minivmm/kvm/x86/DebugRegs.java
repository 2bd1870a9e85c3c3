package io.minivmm.kvm.x86;

import java.util.Arrays;

/**
 * The guest's own debug registers ({@code struct kvm_debugregs}): DR0-DR3, DR6, DR7. Part of a
 * vCPU's saved state; while the host debugs the guest with {@link GuestDebug} these are what the
 * guest believes it has.
 * <pre>{@code
 * DebugRegs d = vcpu.getDebugregs();
 * vcpu.setDebugregs(d.withDr(0, 0x1000));
 * }</pre>
 */
public record DebugRegs(long[] db, long dr6, long dr7, long flags) {
    /** The power-on values: DR6 0xffff0ff0, DR7 0x400 (SDM 17.2). */
    public static final DebugRegs RESET = new DebugRegs(new long[4], 0xffff0ff0L, 0x400, 0);

    public DebugRegs {
        if (db.length != 4) throw new IllegalArgumentException("kvm_debugregs has 4 address registers");
        db = db.clone();
    }

    @Override
    public long[] db() { return db.clone(); }

    /** A copy with DR{@code i} (0-3) set to {@code value}. */
    public DebugRegs withDr(int i, long value) {
        long[] d = db.clone();
        d[i] = value;
        return new DebugRegs(d, dr6, dr7, flags);
    }

    public DebugRegs withDr7(long value) { return new DebugRegs(db, dr6, value, flags); }

    @Override
    public boolean equals(Object o) {
        return o instanceof DebugRegs d && Arrays.equals(db, d.db) && dr6 == d.dr6 && dr7 == d.dr7 && flags == d.flags;
    }

    @Override
    public int hashCode() { return Arrays.hashCode(db) ^ Long.hashCode(dr7); }

    @Override
    public String toString() {
        return String.format("DebugRegs[dr0-3=%x,%x,%x,%x dr6=%x dr7=%x]", db[0], db[1], db[2], db[3], dr6, dr7);
    }
}
