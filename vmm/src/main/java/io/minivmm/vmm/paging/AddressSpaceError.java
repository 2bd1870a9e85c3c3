package io.minivmm.vmm.paging;

/** An address-space operation failed; the cause (if any) is the backend's {@link PagingError}. */
public final class AddressSpaceError extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** Size 0, a range that wraps or leaves the address space, bad alignment. */
        INVALID_INPUT,
        /** The range overlaps an existing area (and overwrite was not asked for). */
        ALREADY_EXISTS,
        /** The backend failed; the areas were not changed for the failing piece. */
        BAD_STATE,
        /** No area, or no mapped page, at an address that had to be accessed. */
        BAD_ADDRESS,
        /**
         * Two address spaces reach into the same top-level (512 GiB) page-table slot, so sharing
         * one's tables with the other would let each see pages the other maps later.
         */
        SHARED_SLOT
    }

    private final Kind kind;

    public AddressSpaceError(Kind kind, String detail) {
        this(kind, detail, null);
    }

    public AddressSpaceError(Kind kind, String detail, Throwable cause) {
        super(kind + ": " + detail, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
