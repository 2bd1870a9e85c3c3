package io.minivmm.vmm.guests;

import static io.minivmm.vmm.guests.TestGuests.assertLine;
import static io.minivmm.vmm.guests.TestGuests.assertPassed;
import static io.minivmm.vmm.guests.TestGuests.guest;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.RunResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** guest/src/asm/pvh.elf64.S: an ELF64 with a XEN_ELFNOTE_PHYS32_ENTRY note, entered through PVH. */
@RequiresKvm
class PvhGuestTest {
    static final String CMDLINE = "minivmm-pvh root=/dev/null quiet";

    @TempDir
    Path tmp;

    @Test
    void startInfoWithCmdlineModuleAndMemmap() throws Exception {
        Path module = tmp.resolve("pvh-initrd.img");
        byte[] data = "minivmm test module for PVH\n".getBytes(StandardCharsets.US_ASCII);
        Files.write(module, data);
        long mem = 64L << 20;
        RunResult r = guest("pvh.elf").memory(mem).cmdline(CMDLINE).initrd(module).build().run();
        assertTrue(r.serialText().matches("(?s)pvh: entered at 0x00100002 ebx=0x00010000 magic=0x336ec578 version=0x00000001 cr0=0x.*"),
                r.serialText());
        assertLine(r, "cmdline='" + CMDLINE + "'");
        assertLine(r, "nr_modules=0x00000001");
        assertTrue(r.serialText().matches(String.format("(?s).*module 0 paddr=0x00000000[0-9a-f]{5}000 size=0x%016x\r\n.*", data.length)),
                r.serialText());
        assertLine(r, "memmap_entries=0x00000003");
        assertLine(r, "memmap 0x0000000000000000 size 0x000000000009fc00 type 0x00000001");
        assertLine(r, "memmap 0x000000000009fc00 size 0x0000000000060400 type 0x00000002");
        assertLine(r, String.format("memmap 0x0000000000100000 size 0x%016x type 0x00000001", mem - (1 << 20)));
        assertTrue(r.serialText().contains(" data segments flat\r\n"), r.serialText());
        // Xen docs/misc/pvh.pandoc: "tr: must be a 32-bit TSS (active) with a base of '0' and a limit of '0x67'".
        assertLine(r, "tr: base=0x00000000 limit=0x00000067 attr=0x0000008b");
        assertPassed(r);
    }
}
