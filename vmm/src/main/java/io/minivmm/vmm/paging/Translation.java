package io.minivmm.vmm.paging;

/**
 * One leaf as seen by {@link PageTable64}: the physical address, its flags and the page size.
 * From {@code query} the address includes the offset within the page; from {@code unmap} it is
 * the page's base.
 */
public record Translation(long paddr, MappingFlags flags, PageSize size) {
    @Override
    public String toString() {
        return String.format("Translation[0x%x, %s, %s]", paddr, flags, size);
    }
}
