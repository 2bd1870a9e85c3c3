package io.minivmm.vmm.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.minivmm.kvm.junit.RequiresKvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of the CLI through vmm.jar: header-mutated images of the kept corpora
 * (src/test/resources/fuzz-corpus: bootable seeds that park the vCPU wherever they are entered;
 * loader-corpus: malformed images) with random option sets, good and bad. Every case must end
 * with a status of the documented table that such inputs can produce (0, 1, 64, 65, 66, 123, 124,
 * 125; never 70), print no Java stack trace, and end within its --timeout plus JVM start.
 * {@code -Dcli.fuzzCases=N} runs more (default 30).
 */
@RequiresKvm
class CliFuzzIT {
    static final long SEED = 0x636c6966757a7aL;
    static final Set<Integer> ALLOWED = Set.of(0, 1, 64, 65, 66, 123, 124, 125);

    @TempDir
    Path dir;

    /**
     * Options with values a user might type, good and bad, the first of each a good one (a
     * timeout is always given besides these, so no case runs unbounded).
     */
    static final String[][] OPTIONS = {
        {"--format", "auto", "multiboot", "multiboot1", "multiboot2", "elf", "bzimage", "pvh", "bootsector", "exe"},
        {"--mem", "64M", "2M", "128", "1M", "0", "1T", "12Q", "-5", "4097K"},
        {"--cpus", "1", "2", "0", "255", "x"},
        {"--cmdline", "console=ttyS0", "", "\u00e9\u00e8 \u0001", "x".repeat(5000)},
        {"--debug-exit", "exact", "qemu", "off", "zz"},
        {"--expect", "never", "(", "PASS"},
        {"--fail-on", "FAIL", "[z-a]"},
        {"--cpu", "default", "baseline", "host,-nx", "warp"},
        {"-append", "x"},
        {"--load-addr", "0x100000"},
    };

    @Test
    void mutatedImagesAndOptionsGiveDocumentedOutcomes() throws Exception {
        Random rnd = new Random(SEED);
        List<Path> seeds = new ArrayList<>();
        for (String d : new String[] {"fuzz-corpus", "loader-corpus"}) {
            try (Stream<Path> files = Files.list(Path.of("src", "test", "resources", d))) {
                files.filter(f -> !f.toString().endsWith(".expect") && !f.toString().endsWith(".md")).sorted().forEach(seeds::add);
            }
        }
        Path initrd = dir.resolve("initrd.img");
        Files.write(initrd, new byte[4096]);
        int cases = Integer.getInteger("cli.fuzzCases", 30);
        java.util.Map<Integer, Integer> byStatus = new java.util.TreeMap<>();
        for (int i = 0; i < cases; i++) {
            // two in three cases from the bootable seeds: they reach the vCPUs more often
            Path seed = i % 3 == 2 ? seeds.get(rnd.nextInt(seeds.size())) : seeds.get(rnd.nextInt(7));
            byte[] img = Files.readAllBytes(seed);
            int edits = rnd.nextInt(4); // 0: the seed as it is
            for (int k = 0; k < edits && img.length > 0; k++) {
                int at = rnd.nextInt(Math.min(img.length, 0x300));
                img[at] = rnd.nextInt(3) == 0 ? (byte) 0xff : (byte) rnd.nextInt(256);
            }
            Path kernel = dir.resolve("case" + i + ".img");
            Files.write(kernel, img);
            List<String> args = new ArrayList<>(List.of("--kernel", kernel.toString()));
            String timeout = rnd.nextInt(8) == 0 ? List.of("0", "-1", "1x").get(rnd.nextInt(3)) : "1s";
            args.addAll(List.of("--timeout", timeout));
            for (String[] opt : OPTIONS) {
                if (rnd.nextInt(6) != 0) continue;
                args.add(opt[0]);
                // the first value of each list is a good one: favour it, so that more cases boot
                if (opt.length > 1) args.add(opt[rnd.nextInt(3) != 0 ? 1 : 1 + rnd.nextInt(opt.length - 1)]);
            }
            if (rnd.nextInt(4) == 0) args.addAll(List.of("--initrd", rnd.nextBoolean() ? initrd.toString() : "/nonexistent"));
            if (rnd.nextInt(6) == 0) args.addAll(List.of("--report", dir.resolve("r" + i + ".json").toString()));
            String name = "case " + i + " (" + seed.getFileName() + ", " + edits + " edits): " + String.join(" ", args);
            long t0 = System.nanoTime();
            Jar.Run r = Jar.run(Jar.command(List.of(), args), new byte[0], Duration.ofSeconds(30));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            byStatus.merge(r.status(), 1, Integer::sum);
            assertTrue(ALLOWED.contains(r.status()), name + ": status " + r + " is not one such inputs may give");
            assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), name + ": stack trace: " + r);
            assertTrue(ms < 15_000, name + ": took " + ms + " ms with a 1 s timeout");
            if (r.status() == 64 || r.status() == 65 || r.status() == 66) {
                assertEquals(1, r.err().strip().lines().filter(l -> l.startsWith("minivmm: ")).count(),
                        name + ": one error line: " + r);
            }
        }
        System.out.println("CliFuzzIT: exit statuses " + byStatus);
        assertTrue(byStatus.getOrDefault(124, 0) + byStatus.getOrDefault(125, 0) >= cases / 10,
                "enough cases reach the vCPUs: " + byStatus);
        assertTrue(byStatus.getOrDefault(64, 0) > 0 && byStatus.getOrDefault(65, 0) > 0, "and enough are refused: " + byStatus);
    }
}
