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

/** guest/src/asm/mb2.elf32.S: a Multiboot 2 ELF32 kernel walking its boot information tags. */
@RequiresKvm
class Multiboot2GuestTest {
    static final String CMDLINE = "minivmm-mb2 console=ttyS0 x=y";

    @TempDir
    Path tmp;

    @Test
    void bootInformationTags() throws Exception {
        Path module = tmp.resolve("mb2-module.img");
        byte[] data = "minivmm test module for multiboot2\n".getBytes(StandardCharsets.US_ASCII);
        Files.write(module, data);
        long mem = 40L << 20;
        RunResult r = guest("mb2.elf").memory(mem).cmdline(CMDLINE).initrd(module).build().run();
        assertPassed(r);
        assertTrue(r.serialText().startsWith("multiboot2: eax=0x36d76289 ebx=0x00010000 cr0=0x"), r.serialText());
        assertTags(r, mem, data.length);
    }

    /** A flat binary with the address and entry address header tags instead of ELF. */
    @Test
    void addressTagImage() throws Exception {
        Path module = tmp.resolve("mb2-module.img");
        byte[] data = "minivmm test module, address tag\n".getBytes(StandardCharsets.US_ASCII);
        Files.write(module, data);
        long mem = 24L << 20;
        RunResult r = guest("mb2aout.bin").memory(mem).cmdline(CMDLINE).initrd(module).build().run();
        assertPassed(r);
        assertTrue(r.serialText().startsWith("mb2-aout: entered at 0x00100040\r\nmultiboot2: eax=0x36d76289 ebx=0x00010000 cr0=0x"),
                r.serialText());
        assertTags(r, mem, data.length);
        assertLine(r, "bss after load_end_addr is zero");
    }

    static void assertTags(RunResult r, long mem, int moduleSize) {
        assertLine(r, "tag 1 cmdline='" + CMDLINE + "'");
        assertLine(r, "tag 2 boot_loader_name='minivmm'");
        assertTrue(r.serialText().matches(String.format(
                "(?s).*tag 3 module start=0x[0-9a-f]{5}000 end=0x[0-9a-f]{8} size=0x%08x string='mb2-module.img'\r\n.*", moduleSize)),
                r.serialText());
        assertLine(r, String.format("tag 4 mem_lower=0x0000027f mem_upper=0x%08x", (mem - (1 << 20)) >> 10));
        assertLine(r, "tag 6 mmap entry_size=0x00000018");
        assertLine(r, "mmap 0x0000000000000000 len 0x000000000009fc00 type 0x00000001");
        assertLine(r, "mmap 0x000000000009fc00 len 0x0000000000060400 type 0x00000002");
        assertLine(r, String.format("mmap 0x0000000000100000 len 0x%016x type 0x00000001", mem - (1 << 20)));
        assertLine(r, "tags seen=0x0000005e");
    }
}
