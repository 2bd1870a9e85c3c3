package io.minivmm.vmm.bench;

import io.minivmm.vmm.Outcome;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.Vm;
import io.minivmm.vmm.arch.x86.CpuMode;
import io.minivmm.vmm.devices.PioBus;
import io.minivmm.vmm.devices.ata.AtaChannel;
import io.minivmm.vmm.storage.DiskImage;
import io.minivmm.vmm.storage.DiskSpec;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;

/**
 * Not a test: IDE PIO read throughput (issue 10). The guest {@code idebench.32.S} reads a whole
 * {@code if=ide} disk with polled PIO and prints one line at the end; the time from
 * {@code run()} to that first serial byte, less the same for a 16-sector disk (VM setup, IDENTIFY,
 * teardown), is the time to read the rest. Three methods (dword 1 of sector 0 picks them):
 * READ MULTIPLE EXT with 16-sector blocks and {@code rep insl}; READ SECTORS EXT (1-sector
 * blocks) with {@code rep insl}; READ MULTIPLE EXT with {@code rep insw}. Reports MB/s (10^6
 * bytes) and VM exits per sector (all exits of the run, less the tiny disk's, over the sectors).
 * The image lives in the page cache (written just before), so this measures the VMM, not the disk.
 *
 * <pre>{@code
 * java -cp vmm/target/test-classes:vmm/target/vmm.jar io.minivmm.vmm.bench.IdeBench [MIB=16] [RUNS=5]
 * }</pre>
 */
public final class IdeBench {
    static final String[] METHODS = {"READ MULTIPLE EXT (16/block), rep insl", "READ SECTORS EXT (1/block), rep insl",
        "READ MULTIPLE EXT (16/block), rep insw"};

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        byte[] guest;
        try (InputStream in = Vm.class.getResourceAsStream("/guests/idebench.bin")) {
            if (in == null) throw new IllegalStateException("/guests/idebench.bin missing: build the guest module");
            guest = in.readAllBytes();
        }
        Path dir = Files.createTempDirectory("idebench");
        Path big = dir.resolve("big.img");
        Path small = dir.resolve("small.img");
        long bigSectors = (long) mib << 11;
        long smallSectors = 16;
        try {
            System.out.printf("IDE PIO read of %d MiB, polled, 1 vCPU, image in the page cache; loadavg %s%n", mib, Stats.loadavg());
            for (int method = 0; method < METHODS.length; method++) {
                image(big, bigSectors, method);
                image(small, smallSectors, method);
                run(guest, big); // warm-up: JIT of the exit path and the ATA channel
                double[] mbs = new double[runs];
                double perSector = 0;
                Map<String, Long> ports = null;
                for (int i = 0; i < runs; i++) {
                    RunResult b = run(guest, big);
                    RunResult s = run(guest, small);
                    double secs = (b.firstSerialByte().toNanos() - s.firstSerialByte().toNanos()) / 1e9;
                    mbs[i] = (bigSectors - smallSectors) * 512 / secs / 1e6;
                    perSector = (double) (b.totalExits() - s.totalExits()) / (bigSectors - smallSectors);
                    ports = b.portCounts();
                }
                Stats st = Stats.of(mbs);
                System.out.printf("%-42s %s; %.3f exits/sector (data port 0x1f0: %d, status 0x1f7: %d exits in the big run)%n",
                        METHODS[method], st.fmt("MB/s", 1), perSector, ports.getOrDefault("0x1f0", 0L),
                        ports.getOrDefault("0x1f7", 0L));
                Stats.summary("IDE PIO read " + mib + " MiB, " + METHODS[method] + " (median of " + runs + ")",
                        String.format("%.1f MB/s, %.3f exits/sector", st.median(), perSector), "-", "-");
            }
            image(big, bigSectors, 0);
            double[] ns = new double[runs];
            for (int i = 0; i <= runs; i++) {
                double v = dispatchOnly(big, bigSectors);
                if (i > 0) ns[i - 1] = v; // the first is warm-up
            }
            Stats d = Stats.of(ns);
            System.out.printf("%-42s %s (no KVM: PioBus -> AtaChannel, 128 dword reads + 1 status read per sector)%n",
                    "dispatch alone, per sector", d.fmt("us", 2));
            Stats.summary("IDE PIO read, Java dispatch alone (no KVM), per sector", String.format("%.2f us", d.median()), "-", "-");
            System.out.printf("loadavg after: %s%n", Stats.loadavg());
        } finally {
            Files.deleteIfExists(big);
            Files.deleteIfExists(small);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * The VMM's share without KVM: the same READ MULTIPLE EXT reads issued straight on a
     * {@link PioBus} with the channel registered as the machine does; microseconds per sector.
     */
    static double dispatchOnly(Path disk, long sectors) throws Exception {
        try (DiskImage img = DiskImage.open(disk, true)) {
            PioBus pio = new PioBus();
            AtaChannel ch = new AtaChannel(img, null, level -> { });
            pio.register(0x1f0, AtaChannel.COMMAND_BLOCK_PORTS, ch.commandBlock(), "ide0");
            long sink = 0;
            long t0 = System.nanoTime();
            for (long lba = 0; lba < sectors; lba += 65536) {
                int n = (int) Math.min(65536, sectors - lba);
                pio.write(0x1f2, 1, n >> 8);
                pio.write(0x1f3, 1, (int) (lba >> 24));
                pio.write(0x1f4, 1, 0);
                pio.write(0x1f5, 1, 0);
                pio.write(0x1f2, 1, n);
                pio.write(0x1f3, 1, (int) lba);
                pio.write(0x1f4, 1, (int) (lba >> 8));
                pio.write(0x1f5, 1, (int) (lba >> 16));
                pio.write(0x1f6, 1, 0x40);
                pio.write(0x1f7, 1, AtaChannel.CMD_READ_MULTIPLE_EXT);
                for (int s = 0; s < n; s++) {
                    if (s % 16 == 0) sink += pio.read(0x1f7, 1);
                    for (int k = 0; k < 128; k++) sink += pio.read(0x1f0, 4);
                }
            }
            long t1 = System.nanoTime();
            if (sink == 42) System.out.print("");
            return (t1 - t0) / 1e3 / sectors;
        }
    }

    /** A disk whose sector s starts with the dword s; dword 1 of sector 0 is the method. */
    static void image(Path p, long sectors, int method) throws Exception {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (long s = 0; s < sectors; ) {
                chunk.clear();
                while (chunk.hasRemaining() && s < sectors) {
                    int at = chunk.position();
                    chunk.putInt((int) s);
                    chunk.putInt(s == 0 ? method : 0);
                    chunk.position(at + 512);
                    s++;
                }
                chunk.flip();
                while (chunk.hasRemaining()) ch.write(chunk);
            }
        }
    }

    static RunResult run(byte[] guest, Path disk) throws Exception {
        RunResult r = Vm.builder().image("idebench.bin", guest).raw(0x100000, 0x100000, CpuMode.PROTECTED)
                .memory(64L << 20).disk(DiskSpec.parse(disk + ",if=ide,ro")).timeout(Duration.ofMinutes(5)).build().run();
        if (r.outcome() != Outcome.GUEST_EXIT || r.exitStatus() != 0 || r.firstSerialByte() == null) {
            throw new IllegalStateException("idebench did not end cleanly: " + r.outcome() + " " + r.exitStatus() + " "
                    + r.message() + "\n" + r.serialText());
        }
        return r;
    }
}
