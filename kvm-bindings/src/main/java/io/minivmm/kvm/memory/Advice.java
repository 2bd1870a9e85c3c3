package io.minivmm.kvm.memory;

import io.minivmm.kvm.sys.LibcMemory;

/**
 * An {@code madvise} advice, for {@link MemoryMapping#madvise(long, long, Advice)}.
 *
 * <pre>{@code
 * mapping.madvise(0, mapping.size(), Advice.SEQUENTIAL);
 * }</pre>
 */
public enum Advice {
    NORMAL(LibcMemory.MADV_NORMAL),
    RANDOM(LibcMemory.MADV_RANDOM),
    SEQUENTIAL(LibcMemory.MADV_SEQUENTIAL),
    WILLNEED(LibcMemory.MADV_WILLNEED),
    /** Destructive: private pages are dropped, later reads see zeros or the file again. */
    DONTNEED(LibcMemory.MADV_DONTNEED),
    /** Destructive: frees the backing store (shared/shmem mappings); later reads see zeros. */
    REMOVE(LibcMemory.MADV_REMOVE),
    DONTFORK(LibcMemory.MADV_DONTFORK),
    DOFORK(LibcMemory.MADV_DOFORK),
    HUGEPAGE(LibcMemory.MADV_HUGEPAGE),
    NOHUGEPAGE(LibcMemory.MADV_NOHUGEPAGE),
    DONTDUMP(LibcMemory.MADV_DONTDUMP),
    DODUMP(LibcMemory.MADV_DODUMP);

    private final int value;

    Advice(int value) {
        this.value = value;
    }

    /** The {@code MADV_*} value. */
    public int value() {
        return value;
    }
}
