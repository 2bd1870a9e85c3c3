package io.minivmm.kvm.x86;

import java.util.Arrays;

/**
 * What KVM_SET_GUEST_DEBUG asks of a vCPU: the control bits (enable, single-step, trap software
 * and hardware breakpoints) and the eight debug registers the host, not the guest, owns while
 * debugging ({@code debugreg[0..3]} the addresses, {@code [6]} unused, {@code [7]} DR7).
 * <pre>{@code
 * vcpu.setGuestDebug(GuestDebug.builder()
 *         .softwareBreakpoints(true)
 *         .hardwareBreakpoint(0, 0xffffffff81000000L, GuestDebug.Kind.EXECUTE, 1)
 *         .build());
 * if (vcpu.run() instanceof VcpuExit.Debug d) { ... d.pc() ... }
 * vcpu.setGuestDebug(GuestDebug.DISABLED);
 * }</pre>
 * Breakpoints stop the vCPU with {@code KVM_EXIT_DEBUG}; the guest never sees the #DB or #BP.
 */
public record GuestDebug(int control, long[] debugreg) {
    /** kvm.h KVM_GUESTDBG_ENABLE: guest debugging on (without it the other bits are ignored). */
    public static final int ENABLE = 0x1;
    /** kvm.h KVM_GUESTDBG_SINGLESTEP: exit after every instruction (TF owned by the host). */
    public static final int SINGLESTEP = 0x2;
    /** asm/kvm.h KVM_GUESTDBG_USE_SW_BP: the guest's int3 exits to the VMM instead of raising #BP. */
    public static final int USE_SW_BP = 0x10000;
    /** asm/kvm.h KVM_GUESTDBG_USE_HW_BP: load {@link #debugreg()} into DR0-3/DR7 while the guest runs. */
    public static final int USE_HW_BP = 0x20000;
    /** asm/kvm.h KVM_GUESTDBG_INJECT_DB: inject a #DB into the guest on the next entry. */
    public static final int INJECT_DB = 0x40000;
    /** asm/kvm.h KVM_GUESTDBG_INJECT_BP: inject a #BP into the guest on the next entry. */
    public static final int INJECT_BP = 0x80000;
    /** asm/kvm.h KVM_GUESTDBG_BLOCKIRQ: no interrupts are injected while single-stepping. */
    public static final int BLOCKIRQ = 0x100000;

    /** Debugging off: what a vCPU starts with. */
    public static final GuestDebug DISABLED = new GuestDebug(0, new long[8]);

    /** DR7 bits 9 (GE) and 10 (reserved, reads as 1): the base value for a DR7 with breakpoints (SDM 17.2.4). */
    static final long DR7_BASE = 0x600;

    /** The R/W field of a DR7 slot (SDM vol. 3, 17.2.4): what access triggers the breakpoint. */
    public enum Kind {
        /** Instruction fetch; the length must be 1. */
        EXECUTE(0),
        /** Data write. */
        WRITE(1),
        /** I/O read or write (needs CR4.DE). */
        IO(2),
        /** Data read or write (not fetch). */
        READ_WRITE(3);

        final int rw;

        Kind(int rw) { this.rw = rw; }
    }

    public GuestDebug {
        if (debugreg.length != 8) throw new IllegalArgumentException("kvm_guest_debug has 8 debug registers");
        debugreg = debugreg.clone();
    }

    @Override
    public long[] debugreg() { return debugreg.clone(); }

    public boolean enabled() { return (control & ENABLE) != 0; }

    public boolean singleStep() { return (control & SINGLESTEP) != 0; }

    /** Whether hardware slot {@code slot} (0-3) is armed in DR7. */
    public boolean hardwareBreakpointEnabled(int slot) {
        checkSlot(slot);
        return (control & USE_HW_BP) != 0 && (debugreg[7] & (3L << (slot * 2))) != 0;
    }

    public Builder toBuilder() { return new Builder(control, debugreg); }

    public static Builder builder() { return new Builder(0, new long[8]); }

    private static int checkSlot(int slot) {
        if (slot < 0 || slot > 3) throw new IllegalArgumentException("hardware breakpoint slot " + slot + " (0-3)");
        return slot;
    }

    /** The DR7 LEN encoding of a breakpoint length: 1→00, 2→01, 8→10, 4→11 (SDM 17.2.5). */
    static long lenBits(int len) {
        return switch (len) {
            case 1 -> 0;
            case 2 -> 1;
            case 4 -> 3;
            case 8 -> 2;
            default -> throw new IllegalArgumentException("breakpoint length " + len + " (1, 2, 4 or 8)");
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GuestDebug g && control == g.control && Arrays.equals(debugreg, g.debugreg);
    }

    @Override
    public int hashCode() { return 31 * control + Arrays.hashCode(debugreg); }

    @Override
    public String toString() {
        return String.format("GuestDebug[control=%x dr0-3=%x,%x,%x,%x dr7=%x]", control, debugreg[0], debugreg[1],
                debugreg[2], debugreg[3], debugreg[7]);
    }

    /** Builds a {@link GuestDebug}; any breakpoint or single-step also sets {@link #ENABLE}. */
    public static final class Builder {
        private int control;
        private final long[] dr;

        private Builder(int control, long[] dr) {
            this.control = control;
            this.dr = dr.clone();
        }

        private Builder flag(int bit, boolean on) {
            control = on ? control | bit : control & ~bit;
            return this;
        }

        public Builder singleStep(boolean on) { return flag(SINGLESTEP, on); }

        public Builder softwareBreakpoints(boolean on) { return flag(USE_SW_BP, on); }

        public Builder blockIrq(boolean on) { return flag(BLOCKIRQ, on); }

        /**
         * Arms hardware slot {@code slot} (0-3) at linear address {@code address}. An
         * {@link Kind#EXECUTE} breakpoint has length 1; data breakpoints 1, 2, 4 or 8, aligned.
         */
        public Builder hardwareBreakpoint(int slot, long address, Kind kind, int len) {
            checkSlot(slot);
            long lenBits = lenBits(len);
            if (kind == Kind.EXECUTE && len != 1) throw new IllegalArgumentException("an execute breakpoint has length 1");
            if ((address & (len - 1)) != 0) throw new IllegalArgumentException("breakpoint address not aligned to " + len);
            dr[slot] = address;
            long dr7 = dr[7] | DR7_BASE;
            dr7 &= ~((0xfL << (16 + slot * 4)) | (3L << (slot * 2)));
            dr7 |= ((long) kind.rw | (lenBits << 2)) << (16 + slot * 4);
            dr7 |= 2L << (slot * 2); // G<slot>: global enable, as no guest task switch should clear it
            dr[7] = dr7;
            control |= USE_HW_BP;
            return this;
        }

        /** Disarms slot {@code slot}; the last one disarmed turns {@link #USE_HW_BP} off. */
        public Builder clearHardwareBreakpoint(int slot) {
            checkSlot(slot);
            dr[slot] = 0;
            dr[7] &= ~((0xfL << (16 + slot * 4)) | (3L << (slot * 2)));
            if ((dr[7] & 0xff) == 0) {
                dr[7] = 0;
                control &= ~USE_HW_BP;
            }
            return this;
        }

        public GuestDebug build() {
            int c = control & ~ENABLE;
            return new GuestDebug(c == 0 ? 0 : c | ENABLE, dr);
        }
    }
}
