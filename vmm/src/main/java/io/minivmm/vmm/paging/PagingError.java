package io.minivmm.vmm.paging;

/**
 * A page-table operation failed. Checked: every kind is an expected outcome of a request (an
 * address already in use, a range with a hole, guest frames exhausted), not a host bug. A call
 * that throws leaves the table exactly as it was before the call.
 */
public final class PagingError extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** The frame allocator is exhausted. */
        NO_MEMORY,
        /** An address or size is not aligned to 4 KiB (or to the page size asked for). */
        NOT_ALIGNED,
        /** No mapping (or no table) where one is required. */
        NOT_MAPPED,
        /** The entry is already in use (a leaf, or a table where a huge leaf should go). */
        ALREADY_MAPPED,
        /** A smaller page was asked for inside an existing huge page. */
        MAPPED_TO_HUGE_PAGE,
        /** A range that wraps around or leaves the canonical half it starts in, or a bad address. */
        INVALID_ARGUMENT
    }

    private final Kind kind;

    public PagingError(Kind kind, String detail) {
        super(kind + ": " + detail);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
