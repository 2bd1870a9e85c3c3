package io.minivmm.vmm.paging;

/**
 * Architecture-neutral access flags of a mapping, as a small bit set. The bit values are those
 * of page_table_multiarch's {@code MappingFlags}.
 */
public record MappingFlags(int bits) {
    public static final MappingFlags EMPTY = new MappingFlags(0);
    public static final MappingFlags READ = new MappingFlags(1);
    public static final MappingFlags WRITE = new MappingFlags(2);
    public static final MappingFlags EXECUTE = new MappingFlags(4);
    public static final MappingFlags USER = new MappingFlags(8);
    /** Device memory: mapped uncached on x86. */
    public static final MappingFlags DEVICE = new MappingFlags(16);
    public static final MappingFlags UNCACHED = new MappingFlags(32);

    private static final String[] NAMES = {"READ", "WRITE", "EXECUTE", "USER", "DEVICE", "UNCACHED"};
    private static final int ALL = 63;

    public MappingFlags {
        if ((bits & ~ALL) != 0) {
            throw new IllegalArgumentException("unknown mapping flag bits 0x" + Integer.toHexString(bits));
        }
    }

    private static final MappingFlags[] CACHE = new MappingFlags[ALL + 1];

    static {
        for (int i = 0; i <= ALL; i++) {
            CACHE[i] = new MappingFlags(i);
        }
    }

    /** The flags with these bits; a shared instance (decoding a PTE allocates nothing). */
    public static MappingFlags ofBits(int bits) {
        if ((bits & ~ALL) != 0) {
            throw new IllegalArgumentException("unknown mapping flag bits 0x" + Integer.toHexString(bits));
        }
        return CACHE[bits];
    }

    /** The union of the given flags. */
    public static MappingFlags of(MappingFlags... flags) {
        int b = 0;
        for (MappingFlags f : flags) {
            b |= f.bits;
        }
        return ofBits(b);
    }

    public MappingFlags with(MappingFlags other) {
        return ofBits(bits | other.bits);
    }

    public MappingFlags without(MappingFlags other) {
        return ofBits(bits & ~other.bits);
    }

    /** True if every flag of {@code other} is set here. */
    public boolean contains(MappingFlags other) {
        return (bits & other.bits) == other.bits;
    }

    public boolean isEmpty() {
        return bits == 0;
    }

    @Override
    public String toString() {
        if (bits == 0) {
            return "EMPTY";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < NAMES.length; i++) {
            if ((bits & (1 << i)) != 0) {
                if (sb.length() > 0) {
                    sb.append('|');
                }
                sb.append(NAMES[i]);
            }
        }
        return sb.toString();
    }
}
