package io.minivmm.vmm.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.minivmm.kvm.junit.RequiresKvm;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An initrd of 2.5 GiB (sparse) for a 256 MiB guest: 65 with the reason, not an OutOfMemoryError. */
@RequiresKvm
class LargeInitrdIT {
    @TempDir
    Path dir;

    @Test
    void anInitrdLargerThanGuestRamIs65WithOneLine() throws Exception {
        Path kernel = dir.resolve("mb1elf32.elf");
        try (InputStream in = LargeInitrdIT.class.getResourceAsStream("/guests/mb1elf32.elf")) {
            assertNotNull(in);
            Files.write(kernel, in.readAllBytes());
        }
        Path initrd = dir.resolve("huge.img");
        try (RandomAccessFile f = new RandomAccessFile(initrd.toFile(), "rw")) {
            f.setLength(5L << 29); // 2.5 GiB, sparse: nothing is written to disk
        }
        Path report = dir.resolve("r.json");
        // a small heap: reading the initrd whole would fail at once
        Jar.Run r = Jar.run(Jar.command(List.of("-Xmx64m"), List.of("--kernel", kernel.toString(), "--initrd",
                initrd.toString(), "--mem", "256M", "--report", report.toString())), new byte[0], Duration.ofSeconds(60));
        assertEquals(65, r.status(), r.toString());
        Jar.assertOneLineError(r);
        assertTrue(r.err().contains("initrd") && r.err().contains("2684354560"), r.toString());
        JsonObject j = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
        assertEquals(65, j.get("exitStatus").getAsInt(), j.toString());
    }
}
