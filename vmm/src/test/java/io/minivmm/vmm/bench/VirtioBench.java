package io.minivmm.vmm.bench;

import io.minivmm.vmm.Outcome;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.Vm;
import io.minivmm.vmm.VmBuilder;
import io.minivmm.vmm.arch.x86.CpuMode;
import io.minivmm.vmm.paging.MappingFlags;
import io.minivmm.vmm.storage.DiskSpec;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Random;

/**
 * virtio figures (issue 11), each with its reference in the same run:
 * <ul>
 *   <li>virtio-blk: guest/src/asm/virtiobench.S reads a 64 MiB disk sequentially in 128 KiB
 *       requests (one in flight, polled); MB/s from the run time minus a 128 KiB run's (the boot
 *       and setup), and VM exits to the VMM per request; against the host reading the same file
 *       from the page cache in 128 KiB reads.</li>
 *   <li>console: the same guest sends 100 MiB through virtio-console; the 16550 side is the flood
 *       guest (one exit per byte) with FLOOD_MIB MiB, extrapolated linearly to 100 MiB.</li>
 * </ul>
 * {@code java -cp vmm/target/test-classes:vmm/target/vmm.jar io.minivmm.vmm.bench.VirtioBench [ROUNDS=3] [FLOOD_MIB=1]}
 */
public final class VirtioBench {
    static final int BLK_MIB = 64;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int floodMib = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        byte[] guest = resource("/guests/virtiobench.bin");
        Path dir = Files.createTempDirectory("virtio-bench");
        Path big = dir.resolve("big.img"), small = dir.resolve("small.img");
        byte[] chunk = new byte[1 << 20];
        new Random(11).nextBytes(chunk);
        try (OutputStream o = Files.newOutputStream(big)) {
            for (int i = 0; i < BLK_MIB; i++) o.write(chunk);
        }
        Files.write(small, new byte[128 << 10]);
        System.out.printf("virtio-blk: %d MiB sequential read by the guest, 128 KiB requests; loadavg %s%n", BLK_MIB, Stats.loadavg());
        run(guest, b -> b.disk(new DiskSpec(small, DiskSpec.Interface.VIRTIO, true))); // warm-up: JIT, JNA
        double[] mbps = new double[rounds], host = new double[rounds], exitsPerReq = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            RunResult s = run(guest, b -> b.disk(new DiskSpec(small, DiskSpec.Interface.VIRTIO, true)));
            RunResult g = run(guest, b -> b.disk(new DiskSpec(big, DiskSpec.Interface.VIRTIO, true)));
            long requests = BLK_MIB * 8L;
            double secs = (g.wallTime().toNanos() - s.wallTime().toNanos()) / 1e9;
            mbps[r] = BLK_MIB * 1.048576 / secs;
            exitsPerReq[r] = (double) (g.totalExits() - s.totalExits()) / (requests - 1);
            host[r] = hostRead(big);
            System.out.printf("round %d: guest %.1f MB/s (%.3f s for %d requests; run %.3f s, 128 KiB run %.3f s), "
                    + "exits/request %.4f (%d vs %d exits); host page-cache read %.1f MB/s%n", r + 1, mbps[r], secs, requests,
                    g.wallTime().toNanos() / 1e9, s.wallTime().toNanos() / 1e9, exitsPerReq[r], g.totalExits(), s.totalExits(), host[r]);
        }
        Stats m = Stats.of(mbps), h = Stats.of(host), e = Stats.of(exitsPerReq);
        Stats.summary("virtio-blk seq read 64 MiB, guest vs host page cache (median of " + rounds + ")",
                String.format("%.1f MB/s", m.median()), String.format("%.1f MB/s", h.median()), String.format("%.3f", m.median() / h.median()));
        Stats.summary("virtio-blk VM exits to the VMM per request (median)", String.format("%.4f", e.median()), "target << 1", "-");

        System.out.printf("console: 100 MiB through virtio-console vs %d MiB through the 16550 (extrapolated); loadavg %s%n",
                floodMib, Stats.loadavg());
        RunResult base = run(guest, b -> b.disk(new DiskSpec(small, DiskSpec.Interface.VIRTIO, true)));
        RunResult con = run(guest, b -> b.virtioConsole(true));
        double conSecs = (con.wallTime().toNanos() - base.wallTime().toNanos()) / 1e9;
        byte[] flood = resource("/guests/flood.bin");
        int blocks = floodMib * 256;
        ByteBuffer.wrap(flood).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(504, blocks);
        long t0 = System.nanoTime();
        RunResult f = Vm.builder().image("flood", flood).memory(16L << 20).serialOutput(OutputStream.nullOutputStream())
                .timeout(Duration.ofMinutes(30)).build().run();
        double floodSecs = (System.nanoTime() - t0) / 1e9;
        check(f);
        double uart100 = floodSecs * 100.0 / floodMib;
        System.out.printf("virtio-console: 100 MiB in %.3f s (run %.3f s minus %.3f s setup) = %.1f MB/s, %d exits%n", conSecs,
                con.wallTime().toNanos() / 1e9, base.wallTime().toNanos() / 1e9, 104.8576 / conSecs, con.totalExits());
        System.out.printf("16550: %d MiB in %.3f s (%d exits) -> 100 MiB extrapolated %.1f s%n", floodMib, floodSecs, f.totalExits(), uart100);
        Stats.summary("console 100 MiB: virtio-console vs 16550 (16550 extrapolated from " + floodMib + " MiB)",
                String.format("%.2f s", conSecs), String.format("%.0f s", uart100), String.format("%.0fx faster", uart100 / conSecs));
        System.out.printf("loadavg at end: %s%n", Stats.loadavg());
        Files.delete(big);
        Files.delete(small);
        Files.delete(dir);
    }

    interface Config {
        VmBuilder apply(VmBuilder b);
    }

    static RunResult run(byte[] guest, Config c) throws Exception {
        VmBuilder b = Vm.builder().image("virtiobench", guest).raw(0x100000, 0x100000, CpuMode.LONG).memory(16L << 20)
                .mapLinear(0xd000_0000L, 0xd000_0000L, 0x8000, MappingFlags.of(MappingFlags.READ, MappingFlags.WRITE, MappingFlags.UNCACHED))
                .serialOutput(OutputStream.nullOutputStream()).timeout(Duration.ofMinutes(5));
        RunResult r = c.apply(b).build().run();
        check(r);
        return r;
    }

    static void check(RunResult r) {
        if (r.outcome() != Outcome.GUEST_EXIT || r.exitStatus() != 0) {
            throw new IllegalStateException("bench guest failed: " + r.message() + "\n" + r.serialText());
        }
    }

    /** The host reading the file from the page cache (after a warm-up pass), 128 KiB at a time. */
    static double hostRead(Path p) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(128 << 10);
        double best = 0;
        for (int pass = 0; pass < 2; pass++) {
            long t0 = System.nanoTime();
            long n = 0;
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                int k;
                while ((k = ch.read(buf.clear())) > 0) n += k;
            }
            best = n / 1e6 / ((System.nanoTime() - t0) / 1e9);
        }
        return best;
    }

    static byte[] resource(String name) throws Exception {
        try (InputStream in = VirtioBench.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " not on the classpath (mvn package first)");
            return in.readAllBytes();
        }
    }
}
