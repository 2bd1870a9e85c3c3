package io.minivmm.vmm.bench;

import io.minivmm.vmm.Vm;
import io.minivmm.vmm.VmBuilder;
import io.minivmm.vmm.VmSession;
import io.minivmm.vmm.arch.x86.CpuMode;
import io.minivmm.vmm.snapshot.Snapshot;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Snapshot, restore and reset figures (issue 13, docs/BENCHMARKS.md section "Snapshots").
 * <pre>
 * java -cp vmm/target/test-classes:vmm/target/vmm.jar io.minivmm.vmm.bench.SnapshotBench [ITER] [linux-images-dir] [CASES]
 * </pre>
 * Part 1, for 256 MiB and 2 GiB guests of guest/src/asm/snapguest.S snapshotted at its prompt:
 * the snapshot's time and size, Snapshot.open (verifies every stored page), restore (a new
 * machine: returns with its vCPU threads started, i.e. at the guest's first instruction) and
 * reset (same machine), each followed by a first answer (send a line, expect the answer) to show
 * the guest really runs. Part 2 (when an images directory is given): the small Linux booted once
 * to "Freeing unused kernel", snapshotted, restored, then CASES cases each reset to the snapshot
 * and run to "Run /init as init process", against the same number of fresh boots (measured for
 * two, extrapolated).
 */
public final class SnapshotBench {
    static final Pattern ANSWER = Pattern.compile("answer: [^\r]*\r\n");
    static final Duration T = Duration.ofSeconds(300);

    public static void main(String[] args) throws Exception {
        int iter = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path images = args.length > 1 ? Path.of(args[1]) : null;
        int cases = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        System.out.println("SnapshotBench " + java.time.Instant.now() + " load " + Stats.loadavg());
        Path dir = Files.createTempDirectory("snapbench");
        byte[] guest;
        try (InputStream in = SnapshotBench.class.getResourceAsStream("/guests/snapguest.bin")) {
            guest = in.readAllBytes();
        }
        for (long mib : new long[] {256, 2048}) small(guest, mib, iter, dir);
        if (images != null) linux(images, cases, dir);
        System.out.println("done, load " + Stats.loadavg());
    }

    static double ms(long ns) { return ns / 1e6; }

    static void small(byte[] guest, long mib, int iter, Path dir) throws Exception {
        VmBuilder b = Vm.builder().image("snapguest", guest).raw(0x100000, 0x100000, CpuMode.LONG).memory(mib << 20).timeout(T);
        Path file = dir.resolve("snapguest-" + mib + ".snap");
        Snapshot snap;
        long t0, t1;
        try (VmSession s = b.start()) {
            s.expect("ready> ", T);
            t0 = System.nanoTime();
            snap = s.snapshot(file);
            t1 = System.nanoTime();
        }
        long allocated = allocatedBytes(file);
        System.out.printf("%d MiB guest: snapshot %.2f ms, %d KiB stored, file %d MiB apparent / %d KiB on disk%n", mib, ms(t1 - t0),
                snap.storedBytes() / 1024, Files.size(file) >> 20, allocated / 1024);
        double[] open = new double[iter], restore = new double[iter], restoreAnswer = new double[iter];
        double[] reset = new double[iter], resetAnswer = new double[iter];
        for (int i = 0; i < iter; i++) {
            t0 = System.nanoTime();
            Snapshot opened = Snapshot.open(file);
            open[i] = ms(System.nanoTime() - t0);
            t0 = System.nanoTime();
            VmSession s = Vm.restore(opened);
            t1 = System.nanoTime();
            try {
                s.send("q\n");
                s.expect(ANSWER, T);
            } catch (VmSession.ExpectException e) {
                Thread.sleep(200);
                var r = s.result();
                throw new IllegalStateException("restore " + i + ": " + e.getMessage() + (r == null ? "" : " " + r.outcome() + " "
                        + r.message() + "\n" + r.crashReport()) + "\ntranscript: " + e.transcript(), e);
            }
            long t2 = System.nanoTime();
            restore[i] = ms(t1 - t0);
            restoreAnswer[i] = ms(t2 - t0);
            s.close();
        }
        try (VmSession s = Vm.restore(snap)) {
            for (int i = 0; i < iter; i++) {
                s.send("keep\n"); // the guest writes its table and counter: the reset has pages to drop
                s.expect(ANSWER, T);
                s.expect("ready> ", T);
                t0 = System.nanoTime();
                s.reset(snap);
                t1 = System.nanoTime();
                s.send("kq\n"); // starts with 'k': the guest keeps running for the next round
                s.expect(ANSWER, T);
                long t2 = System.nanoTime();
                reset[i] = ms(t1 - t0);
                resetAnswer[i] = ms(t2 - t0);
            }
        }
        System.out.println("  Snapshot.open (verify)      " + Stats.of(open).fmt("ms", 2));
        System.out.println("  restore to first instr.     " + Stats.of(restore).fmt("ms", 2));
        System.out.println("  restore to first answer     " + Stats.of(restoreAnswer).fmt("ms", 2));
        System.out.println("  reset to first instr.       " + Stats.of(reset).fmt("ms", 2));
        System.out.println("  reset to first answer       " + Stats.of(resetAnswer).fmt("ms", 2));
        Files.deleteIfExists(file);
    }

    static long allocatedBytes(Path f) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b %B", f.toString()).start();
        String[] w = new String(p.getInputStream().readAllBytes()).trim().split(" ");
        p.waitFor();
        return Long.parseLong(w[0]) * Long.parseLong(w[1]);
    }

    static VmBuilder linuxBuilder(Path images) {
        return Vm.builder().kernel(images.resolve("linux-tiny.vmlinux")).initrd(images.resolve("initramfs-tiny.cpio"))
                .cmdline("console=ttyS0 reboot=k panic=-1 noxsave clearcpuid=popcnt,smap,erms,fsrm percpu_alloc=page")
                .memory(64 << 20).timeout(T);
    }

    static void linux(Path images, int cases, Path dir) throws Exception {
        Path file = dir.resolve("linux.snap");
        double[] boots = new double[2];
        Snapshot snap = null;
        for (int i = 0; i < boots.length; i++) {
            long t0 = System.nanoTime();
            try (VmSession s = linuxBuilder(images).start()) {
                s.expect("Freeing unused kernel", T);
                long tSnap = System.nanoTime();
                if (i == 0) {
                    snap = s.snapshot(file);
                    System.out.printf("linux 64 MiB: boot to 'Freeing unused kernel' %.0f ms; snapshot %.1f ms, %d KiB stored (%d KiB on disk)%n",
                            ms(tSnap - t0), ms(System.nanoTime() - tSnap), snap.storedBytes() / 1024, allocatedBytes(file) / 1024);
                }
                s.expect("Run /init as init process", T);
                boots[i] = ms(System.nanoTime() - t0);
            }
        }
        System.out.println("  fresh boot to 'Run /init'   " + Stats.of(boots).fmt("ms", 0));
        double[] perCase = new double[cases];
        long suite0 = System.nanoTime();
        try (VmSession s = Vm.restore(snap)) {
            for (int i = 0; i < cases; i++) {
                long t0 = System.nanoTime();
                if (i > 0) s.reset(snap);
                s.expect("Run /init as init process", T);
                perCase[i] = ms(System.nanoTime() - t0);
            }
        }
        double suite = ms(System.nanoTime() - suite0);
        double fresh = Stats.of(boots).median() * cases;
        System.out.println("  reset case to 'Run /init'   " + Stats.of(perCase).fmt("ms", 1));
        System.out.printf("  %d cases: one restore + resets %.0f ms (plus the one boot %.0f ms = %.0f ms); %d fresh boots ~%.0f ms"
                + " (extrapolated); ratio %.0fx (%.0fx with the boot)%n", cases, suite, boots[0], suite + boots[0], cases, fresh,
                fresh / suite, fresh / (suite + boots[0]));
        snap.close();
        Files.deleteIfExists(file);
    }
}
