package io.minivmm.vmm.paging;

/** One result of walking several address spaces at once ({@link PageWalker#walkSpaces}). */
public sealed interface SpaceMapping {
    /** The index of the root (address space) being walked when this was found. */
    int space();

    /** A leaf of this space (its real size: 4 KiB, 2 MiB or 1 GiB). */
    record Leaf(int space, PageMapping mapping) implements SpaceMapping {
    }

    /**
     * An intermediate table at {@code level} (1..3) reached from this space at {@code va} that
     * an earlier space {@code ownerSpace} already reached at {@code ownerVa}: the two share it,
     * and its contents were reported under the owner.
     */
    record SharedTable(int space, long va, int level, long tablePaddr, int ownerSpace, long ownerVa)
            implements SpaceMapping {
        @Override
        public String toString() {
            return String.format("SharedTable[space %d at 0x%x, level %d, table 0x%x, owner space %d at 0x%x]",
                    space, va, level, tablePaddr, ownerSpace, ownerVa);
        }
    }
}
