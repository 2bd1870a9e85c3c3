package io.minivmm.vmm.paging;

import java.util.List;

/**
 * One virtual address walked through page tables by {@link PageWalker#walk}: every entry read,
 * top level first, and how the walk ended. What a crash report prints, and what a debugger or a
 * snapshot needs to translate a guest-virtual address (with the level at which it faults).
 *
 * @param va the address walked
 * @param steps the entries read, top level (0) first
 * @param end how the walk ended
 * @param stopTable for {@link End#TABLE_UNREADABLE}: the physical address of the table that could
 *     not be read (else -1)
 * @param stopIndex for {@link End#TABLE_UNREADABLE}: the index that was to be read there (else -1)
 * @param paddr for {@link End#MAPPED}: the physical address {@code va} maps to (else -1)
 * @param pageSize for {@link End#MAPPED}: the size of the page holding it (else 0)
 */
public record PageWalk(long va, List<Step> steps, End end, long stopTable, int stopIndex, long paddr, long pageSize) {
    /** One entry read: its level (0 = top), index in its table, physical address and raw value. */
    public record Step(int level, int index, long entryPaddr, long entry) {}

    /** How a walk ends. */
    public enum End {
        /** A present leaf: {@code paddr} and {@code pageSize} are set. */
        MAPPED,
        /** The last step's entry is not present (a page fault at that level). */
        NOT_PRESENT,
        /** A table lies outside the memory the walker reads (e.g. outside guest RAM). */
        TABLE_UNREADABLE,
        /** A 4-level walk of an address that is not sign-extended from bit 47 (a #GP, no walk). */
        NON_CANONICAL
    }

    public PageWalk {
        steps = List.copyOf(steps);
    }

    public boolean mapped() {
        return end == End.MAPPED;
    }

    /**
     * The level (0 = top) at which an unmapped walk stopped: the non-present entry's, or the level
     * whose table could not be read; 0 for a non-canonical address; -1 when mapped.
     */
    public int faultLevel() {
        return switch (end) {
            case MAPPED -> -1;
            case NOT_PRESENT -> steps.get(steps.size() - 1).level();
            case TABLE_UNREADABLE -> steps.size();
            case NON_CANONICAL -> 0;
        };
    }
}
