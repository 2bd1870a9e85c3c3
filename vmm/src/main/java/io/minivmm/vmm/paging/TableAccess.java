package io.minivmm.vmm.paging;

/** Read-write access to page tables (after hyperlight's {@code TableOps}). */
public interface TableAccess extends TableReader {
    void writeEntry(long table, int index, long entry);

    /** A new zeroed table; its handle. */
    long allocTable() throws PagingError;
}
