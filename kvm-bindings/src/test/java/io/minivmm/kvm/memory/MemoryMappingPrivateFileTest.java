package io.minivmm.kvm.memory;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What snapshots rely on: mincore per page, and a private file mapping that MADV_DONTNEED reverts to the file. */
class MemoryMappingPrivateFileTest {
    @Test
    void residentPagesAreThoseTouched() {
        try (MemoryMapping m = MemoryMapping.anonymous(16 * 4096).shared(false).build()) {
            assertTrue(m.residentPages().isEmpty());
            m.writeU8((byte) 1, 0);
            m.writeU8((byte) 1, 5 * 4096 + 7);
            BitSet want = new BitSet();
            want.set(0);
            want.set(5);
            assertEquals(want, m.residentPages());
            assertEquals(2 * 4096, m.residentBytes());
            m.dropPageCache(5 * 4096, 4096);
            assertEquals(BitSet.valueOf(new long[] {1}), m.residentPages());
        }
    }

    @Test
    void privateFileWritesStayPrivateAndDropRevertsToTheFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ram");
        byte[] content = new byte[3 * 4096];
        content[4096 + 1] = 42;
        Files.write(f, content);
        try (MemoryMapping m = MemoryMapping.privateFile(f, 4096, 2 * 4096)) {
            assertEquals(42, m.readU8(1));
            m.writeU8((byte) 7, 1);
            m.writeU8((byte) 9, 4096);
            assertEquals(7, m.readU8(1));
            assertArrayEquals(content, Files.readAllBytes(f), "the file never changes");
            m.dropPageCache(0, 2 * 4096);
            assertEquals(42, m.readU8(1));
            assertEquals(0, m.readU8(4096));
        }
        assertThrows(MemoryMappingException.InvalidRange.class, () -> MemoryMapping.privateFile(f, 4096, 3 * 4096));
        assertThrows(MemoryMappingException.SystemError.class, () -> MemoryMapping.privateFile(dir.resolve("none"), 0, 4096));
    }
}
