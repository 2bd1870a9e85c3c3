package io.minivmm.vmm.paging;

/** What a present leaf allows, as the guest page-table walker reports and writes it. */
public sealed interface MappingKind {
    /** An ordinary page. */
    record Basic(boolean writable, boolean executable) implements MappingKind {
    }

    /** Copy-on-write: read-only with the software marker bit 9 set; the first write copies it. */
    record Cow(boolean executable) implements MappingKind {
    }

    /** No mapping: writing it clears the leaf. */
    record Unmapped() implements MappingKind {
    }
}
