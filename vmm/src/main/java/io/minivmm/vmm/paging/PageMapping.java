package io.minivmm.vmm.paging;

/** [virtBase, virtBase+len) maps to [physBase, physBase+len) with {@code kind}. */
public record PageMapping(long virtBase, long physBase, long len, MappingKind kind) {
    @Override
    public String toString() {
        return String.format("PageMapping[0x%x -> 0x%x, 0x%x, %s]", virtBase, physBase, len, kind);
    }
}
