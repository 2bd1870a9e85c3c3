package io.minivmm.vmm.paging;

/**
 * Read access to page tables, wherever they live (after hyperlight's {@code TableReadOps}).
 * A table is named by an opaque {@code long} handle: a guest-physical address for tables in guest
 * memory, an array offset in tests. Handles and physical addresses convert both ways because
 * entries hold physical addresses.
 */
public interface TableReader {
    /** Entry {@code index} (0..511) of {@code table}. */
    long readEntry(long table, int index);

    /** The handle of the table at guest-physical {@code paddr}. */
    long fromPhys(long paddr);

    /** The guest-physical address of {@code table}. */
    long toPhys(long table);
}
