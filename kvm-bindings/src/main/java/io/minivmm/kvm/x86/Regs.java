package io.minivmm.kvm.x86;

import java.util.Arrays;

/**
 * General-purpose registers ({@code struct kvm_regs}), immutable.
 * <pre>{@code
 * Regs r = Regs.ZERO.with(Regs.Reg.RIP, 0x7c00).with(Regs.Reg.RFLAGS, 2);
 * vcpu.setRegs(r);
 * }</pre>
 */
public record Regs(long rax, long rbx, long rcx, long rdx, long rsi, long rdi, long rsp, long rbp,
                   long r8, long r9, long r10, long r11, long r12, long r13, long r14, long r15,
                   long rip, long rflags) {

    /** Register names in {@code struct kvm_regs} order. */
    public enum Reg { RAX, RBX, RCX, RDX, RSI, RDI, RSP, RBP, R8, R9, R10, R11, R12, R13, R14, R15, RIP, RFLAGS }

    /** All zero but RFLAGS bit 1, which is reserved and always set. */
    public static final Regs ZERO = of(new long[18]).with(Reg.RFLAGS, 2);

    /** From 18 values in {@link Reg} order. */
    public static Regs of(long[] v) {
        if (v.length != 18) throw new IllegalArgumentException("kvm_regs has 18 registers, got " + v.length);
        return new Regs(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
                v[14], v[15], v[16], v[17]);
    }

    /** The 18 values in {@link Reg} order. */
    public long[] toArray() {
        return new long[] {rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags};
    }

    public long get(Reg r) { return toArray()[r.ordinal()]; }

    /** A copy with one register changed. */
    public Regs with(Reg r, long value) {
        long[] v = toArray();
        v[r.ordinal()] = value;
        return of(v);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        long[] v = toArray();
        Reg[] names = Reg.values();
        for (int i = 0; i < v.length; i++) {
            sb.append(String.format("%-6s=%016x", names[i].name().toLowerCase(), v[i]));
            sb.append(i % 4 == 3 || i == v.length - 1 ? '\n' : ' ');
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) { return o instanceof Regs r && Arrays.equals(toArray(), r.toArray()); }

    @Override
    public int hashCode() { return Arrays.hashCode(toArray()); }
}
