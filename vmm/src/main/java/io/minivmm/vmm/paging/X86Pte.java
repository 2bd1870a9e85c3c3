package io.minivmm.vmm.paging;

/**
 * The x86-64 page-table entry codec (Intel SDM vol. 3A §4.5, tables 4-15..4-20).
 * Stateless; every method is a pure function of its arguments.
 */
public final class X86Pte {
    /** Present. */
    public static final long P = 1L;
    /** Read/write: clear means read-only. */
    public static final long RW = 1L << 1;
    /** User/supervisor: set means ring 3 may access. */
    public static final long US = 1L << 2;
    /** Page-level write-through. */
    public static final long PWT = 1L << 3;
    /** Page-level cache disable. */
    public static final long PCD = 1L << 4;
    /** Accessed. */
    public static final long A = 1L << 5;
    /** Dirty (leaves only). */
    public static final long D = 1L << 6;
    /** Page size: a 1 GiB leaf in a PDPT entry or a 2 MiB leaf in a PD entry. */
    public static final long PS = 1L << 7;
    /** Global. */
    public static final long G = 1L << 8;
    /** Execute-disable; honoured only when the guest sets EFER.NXE. */
    public static final long NX = 1L << 63;
    /** Physical address bits 12..51 (MAXPHYADDR 52). */
    public static final long ADDR_MASK = 0x000f_ffff_ffff_f000L;
    /** Intermediate entries grant everything; the leaf decides the access. */
    public static final long TABLE = P | RW | US;

    private X86Pte() {
    }

    /** Flags to PTE attribute bits: empty gives 0 (not present). */
    public static long fromFlags(MappingFlags flags) {
        if (flags.isEmpty()) {
            return 0;
        }
        long bits = P;
        if (flags.contains(MappingFlags.WRITE)) {
            bits |= RW;
        }
        if (!flags.contains(MappingFlags.EXECUTE)) {
            bits |= NX;
        }
        if (flags.contains(MappingFlags.USER)) {
            bits |= US;
        }
        if (flags.contains(MappingFlags.DEVICE) || flags.contains(MappingFlags.UNCACHED)) {
            bits |= PCD | PWT;
        }
        return bits;
    }

    /** PTE to flags: not present gives EMPTY; DEVICE decodes as UNCACHED (same bits). */
    public static MappingFlags toFlags(long pte) {
        if ((pte & P) == 0) {
            return MappingFlags.EMPTY;
        }
        int f = MappingFlags.READ.bits();
        if ((pte & RW) != 0) {
            f |= MappingFlags.WRITE.bits();
        }
        if ((pte & NX) == 0) {
            f |= MappingFlags.EXECUTE.bits();
        }
        if ((pte & US) != 0) {
            f |= MappingFlags.USER.bits();
        }
        if ((pte & PCD) != 0) {
            f |= MappingFlags.UNCACHED.bits();
        }
        return MappingFlags.ofBits(f);
    }

    /**
     * A leaf entry. A is preset, as upstream does: the CPU need not write it back, and it keeps a
     * leaf with EMPTY flags (present to this code, not to the CPU) distinct from an unused entry.
     */
    public static long leaf(long paddr, MappingFlags flags, boolean huge) {
        return (paddr & ADDR_MASK) | fromFlags(flags) | A | (huge ? PS : 0);
    }

    /** An intermediate entry pointing at the table at {@code tablePaddr}. */
    public static long table(long tablePaddr) {
        return (tablePaddr & ADDR_MASK) | TABLE;
    }

    public static long paddr(long pte) {
        return pte & ADDR_MASK;
    }

    public static boolean isPresent(long pte) {
        return (pte & P) != 0;
    }

    public static boolean isUnused(long pte) {
        return pte == 0;
    }

    public static boolean isHuge(long pte) {
        return (pte & PS) != 0;
    }
}
