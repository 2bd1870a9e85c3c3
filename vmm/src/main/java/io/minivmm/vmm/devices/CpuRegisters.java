package io.minivmm.vmm.devices;

/**
 * The registers of the vCPU that caused a trap ({@link PioTrap}), as firmware services see them:
 * the general-purpose registers, EIP, EFLAGS and the segment registers (selector and base).
 * Implemented over KVM by the vCPU run loop, and by plain fields in tests. Writes take effect when
 * the vCPU resumes. Values are 32-bit (zero-extended in a long); firmware that runs in real mode
 * uses the low 16 bits.
 */
public interface CpuRegisters {
    /** General-purpose registers, EIP and EFLAGS. */
    enum Reg { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI, EIP, EFLAGS }

    /** Segment registers. */
    enum Seg { ES, CS, SS, DS, FS, GS }

    /** EFLAGS bits firmware services report through. */
    int CF = 1, ZF = 1 << 6, IF = 1 << 9;

    /** The 32-bit value of {@code r}. */
    long get(Reg r);

    /** Sets the 32-bit value of {@code r} (the upper half of the 64-bit register is cleared). */
    void set(Reg r, long value);

    /** The selector of {@code s}. */
    int selector(Seg s);

    /** The base address of {@code s}. */
    long base(Seg s);

    /** Loads {@code s} as real mode does: selector {@code sel}, base {@code sel << 4}. */
    void loadRealSegment(Seg s, int sel);

    /** The low 16 bits of {@code r} (AX, CX, ...). */
    default int get16(Reg r) { return (int) get(r) & 0xffff; }

    /** Sets the low 16 bits of {@code r}, keeping the upper 16. */
    default void set16(Reg r, int v) { set(r, (get(r) & 0xffff_0000L) | (v & 0xffff)); }

    /** The low byte of {@code r} (AL, CL, DL, BL). */
    default int lo(Reg r) { return (int) get(r) & 0xff; }

    /** The second byte of {@code r} (AH, CH, DH, BH). */
    default int hi(Reg r) { return (int) (get(r) >> 8) & 0xff; }

    /** Sets the low byte of {@code r}. */
    default void setLo(Reg r, int v) { set(r, (get(r) & ~0xffL) | (v & 0xff)); }

    /** Sets the second byte of {@code r}. */
    default void setHi(Reg r, int v) { set(r, (get(r) & ~0xff00L) | ((v & 0xff) << 8)); }
}
