package io.minivmm.vmm.guests;

import static io.minivmm.vmm.guests.TestGuests.assertLine;
import static io.minivmm.vmm.guests.TestGuests.assertPassed;
import static io.minivmm.vmm.guests.TestGuests.guest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.arch.x86.CpuMode;
import io.minivmm.vmm.paging.MappingFlags;
import io.minivmm.vmm.storage.DiskSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * guest/src/asm/virtioblk.S on a real vCPU: negotiates with the virtio-mmio transport, sets up a
 * queue, writes and reads sectors (kicks through ioeventfd, completions polled), then sends a
 * descriptor outside RAM and sees DEVICE_NEEDS_RESET; the host then checks the written sector.
 */
@RequiresKvm
class VirtioBlkGuestTest {
    @TempDir
    Path tmp;

    @Test
    void guestDrivesTheTransportReadsWritesAndMeetsNeedsReset() throws Exception {
        Path img = tmp.resolve("disk.img");
        byte[] disk = new byte[128 * 512];
        System.arraycopy("VIRTIOBK".getBytes(StandardCharsets.US_ASCII), 0, disk, 512, 8);
        Files.write(img, disk);
        RunResult r = guest("virtioblk.bin").raw(0x100000, 0x100000, CpuMode.LONG).memory(8L << 20)
                .mapLinear(0xd000_0000L, 0xd000_0000L, 0x8000, MappingFlags.of(MappingFlags.READ, MappingFlags.WRITE,
                        MappingFlags.UNCACHED))
                .disk(new DiskSpec(img, DiskSpec.Interface.VIRTIO, false))
                .build().run();
        assertPassed(r);
        assertLine(r, "virtio-blk at 0x00000000d0000000");
        assertLine(r, "wrote sector 2");
        assertLine(r, "buffer outside RAM: DEVICE_NEEDS_RESET, nothing completed");
        byte[] after = Files.readAllBytes(img);
        byte[] expect = new byte[512];
        for (int i = 0; i < 512; i++) expect[i] = (byte) (i ^ 0x5a);
        byte[] sector2 = new byte[512];
        System.arraycopy(after, 1024, sector2, 0, 512);
        assertArrayEquals(expect, sector2, "the guest's write reached the file");
    }
}
