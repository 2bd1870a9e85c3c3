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

/**
 * The Multiboot 1 guests (guest/src/asm/mb1*.S with mb1check.inc): an ELF32 kernel, an ELF64 file
 * with a Multiboot header, and a flat binary using the a.out kludge. Each checks EAX, the CPU mode
 * and the information structure itself; the test also checks what it printed against the RAM size
 * and command line it gave.
 */
@RequiresKvm
class Multiboot1GuestTest {
    /** The command line the guests expect (mb1check.inc: mb1_cmdline). */
    static final String CMDLINE = "minivmm-mb1 answer=42 name=multiboot1";
    /** What mb1check.inc expects module 0 to start with. */
    static final String MODULE_DATA = "minivmm test module";
    static final long MEM = 48L << 20;

    @TempDir
    Path tmp;

    static void assertInfo(RunResult r, long mem) {
        assertLine(r, "multiboot1: eax=0x2badb002 ebx=0x00010000");
        assertTrue(r.serialText().contains(String.format(" mem_lower=0x0000027f mem_upper=0x%08x\r\n", (mem - (1 << 20)) >> 10)),
                r.serialText());
        assertLine(r, "cmdline='" + CMDLINE + "'");
        assertLine(r, "boot_loader_name='minivmm'");
        assertLine(r, "mmap 0x0000000000000000 len 0x000000000009fc00 type 0x00000001");
        assertLine(r, "mmap 0x000000000009fc00 len 0x0000000000060400 type 0x00000002");
        assertLine(r, String.format("mmap 0x0000000000100000 len 0x%016x type 0x00000001", mem - (1 << 20)));
    }

    @Test
    void elf32() throws Exception {
        RunResult r = guest("mb1elf32.elf").memory(MEM).cmdline(CMDLINE).build().run();
        assertPassed(r);
        assertLine(r, "mb1-elf32: entered at 0x0010000c");
        assertInfo(r, MEM);
        assertLine(r, "mods_count=0x00000000");
    }

    /**
     * guest/src/asm/mb1low.elf32.S: linked at 0x9000 and spanning [0x9000, 0x32000) with its
     * .bss, over the default vCPU area, boot information and command line: they go around it.
     */
    @Test
    void aKernelLinkedBelow64KiBLoadsWithTheBootStructuresAroundIt() throws Exception {
        RunResult r = guest("mb1low.elf").memory(MEM).cmdline(CMDLINE).build().run();
        assertPassed(r);
        assertLine(r, "mb1-low: entered at 0x0000900c image ends at 0x00032000");
        assertTrue(r.serialText().contains(" mem_lower=0x0000027f"), r.serialText());
        assertLine(r, "cmdline='" + CMDLINE + "'");
    }

    @Test
    void elf64WithMultibootHeaderIsEnteredInProtectedMode() throws Exception {
        RunResult r = guest("mb1elf64.elf").memory(MEM).cmdline(CMDLINE).build().run();
        assertPassed(r);
        assertLine(r, "mb1-elf64: entered at 0x0010000c");
        assertInfo(r, MEM);
    }

    /** A higher-half ELF32 (linked 0xc0100000, loaded 1 MiB): e_entry must be translated to physical. */
    @Test
    void higherHalfElf32IsEnteredAtThePhysicalEntry() throws Exception {
        RunResult r = guest("mb1hh.elf").memory(MEM).cmdline(CMDLINE).build().run();
        assertPassed(r);
        assertLine(r, "mb1-hh: entered at 0x0010000c (linked at 0xc010000c)");
        assertInfo(r, MEM);
    }

    @Test
    void aoutKludgeWithModule() throws Exception {
        Path module = tmp.resolve("mb1-module.bin");
        byte[] data = (MODULE_DATA + ": 0123456789abcdef\n").getBytes(StandardCharsets.US_ASCII);
        Files.write(module, data);
        long mem = 32L << 20;
        RunResult r = guest("mb1aout.bin").memory(mem).cmdline(CMDLINE).initrd(module).build().run();
        assertPassed(r);
        assertInfo(r, mem);
        assertLine(r, "mods_count=0x00000001");
        assertTrue(r.serialText().matches(String.format("(?s).*module 0: start=0x[0-9a-f]{5}000 end=0x[0-9a-f]{8} size=0x%08x string='mb1-module.bin'\r\n.*",
                data.length)), r.serialText());
        assertLine(r, "bss after load_end_addr is zero");
    }
}
