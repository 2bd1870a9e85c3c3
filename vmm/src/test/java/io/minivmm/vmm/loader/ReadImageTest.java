package io.minivmm.vmm.loader;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link KernelLoader#readImage(Path)}: the whole file, and the exceptions callers map to exit statuses. */
class ReadImageTest {
    @TempDir
    Path dir;

    @Test
    void readsTheWholeFile() throws Exception {
        for (int size : new int[] {0, 1, 4095, 4096, 65537, 3 << 20}) {
            byte[] b = new byte[size];
            new Random(size).nextBytes(b);
            Path f = dir.resolve("img" + size);
            Files.write(f, b);
            assertArrayEquals(b, KernelLoader.readImage(f), "size " + size);
        }
    }

    @Test
    void aMissingFileIsNoSuchFile() {
        Path missing = dir.resolve("nope.elf");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> KernelLoader.readImage(missing));
        assertEquals(missing.toString(), e.getFile());
    }

    @Test
    void aDirectoryIsAnIoError() {
        assertThrows(IOException.class, () -> KernelLoader.readImage(dir));
    }

    @Test
    void procFilesReportSizeZeroAndAreReadAsSuch() throws Exception {
        // /proc files report size 0: readImage reads what the size says (the loaders then reject
        // an empty image); it must not hang or fail.
        assertEquals(0, KernelLoader.readImage(Path.of("/proc/self/status")).length);
    }
}
