package io.minivmm.vmm.paging;

/** The three x86-64 page sizes and the table level whose entries map them (level 0 = PML4). */
public enum PageSize {
    SIZE_4K(12, 3),
    SIZE_2M(21, 2),
    SIZE_1G(30, 1);

    private final int shift;
    private final int level;

    PageSize(int shift, int level) {
        this.shift = shift;
        this.level = level;
    }

    public long bytes() {
        return 1L << shift;
    }

    public int shift() {
        return shift;
    }

    /** The table level whose entries are leaves of this size (1 = PDPT, 2 = PD, 3 = PT). */
    public int level() {
        return level;
    }

    public boolean isHuge() {
        return this != SIZE_4K;
    }

    public boolean isAligned(long addr) {
        return (addr & (bytes() - 1)) == 0;
    }

    public long alignDown(long addr) {
        return addr & -bytes();
    }

    /** The leaf size mapped by an entry of table level {@code level} (1..3). */
    public static PageSize ofLevel(int level) {
        switch (level) {
            case 1: return SIZE_1G;
            case 2: return SIZE_2M;
            case 3: return SIZE_4K;
            default: throw new IllegalArgumentException("no leaf at level " + level);
        }
    }
}
