package io.minivmm.vmm.memory;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How guest RAM is backed on the host (SPEC-seeds §3, "two levels"): anonymous memory ("alloc",
 * prefaulted or lazy), or linearly a file or a memfd ("linear"). The small config a VM builder
 * carries to {@link GuestMemory#create(long, RamBacking)}.
 *
 * <p>File layouts follow guest RAM: the region at guest-physical 0 is file offset 0, RAM moved
 * above 4 GiB continues at file offset {@link GuestMemory#LOW_RAM_LIMIT}, so the file is guest RAM
 * laid end to end.
 *
 * @param backing prefault the host pages or let the guest fault them in
 * @param hugepages ask for transparent huge pages (anonymous RAM only; file pages are the file's)
 * @param source where the pages come from
 * @param file the file for {@link Source#FILE_SHARED} and {@link Source#FILE_PRIVATE}, else null
 */
public record RamBacking(GuestMemory.Backing backing, boolean hugepages, Source source, Path file) {
    /** Where guest RAM's host pages come from. */
    public enum Source {
        /** Private anonymous memory (the default). */
        ANONYMOUS,
        /**
         * A user's file, MAP_SHARED: guest writes reach the file. A missing file is created and a
         * shorter one grown (sparse) to the RAM size; a longer one keeps its tail unused.
         */
        FILE_SHARED,
        /**
         * A file mapped MAP_PRIVATE (copy-on-write): the guest starts from the file's bytes, its
         * writes stay in this process and the file never changes (restoring a snapshot). The file
         * must already hold the whole RAM size.
         */
        FILE_PRIVATE,
        /** A memfd the host keeps and can map a second time ({@link GuestMemory#sharedFile()}). */
        MEMFD
    }

    public RamBacking {
        Objects.requireNonNull(backing);
        Objects.requireNonNull(source);
        if ((file != null) != (source == Source.FILE_SHARED || source == Source.FILE_PRIVATE)) {
            throw new IllegalArgumentException("a file goes with FILE_SHARED or FILE_PRIVATE only: " + source + " " + file);
        }
    }

    /** Anonymous RAM. */
    public static RamBacking anonymous(GuestMemory.Backing backing, boolean hugepages) {
        return new RamBacking(backing, hugepages, Source.ANONYMOUS, null);
    }
}
