package io.minivmm.vmm.loader;

import io.minivmm.vmm.arch.x86.CpuMode;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing: every mutated image must either load or fail with a one-line
 * {@link ImageException}; any other throwable is a bug. Deterministic (fixed seed), a few seconds.
 */
class LoaderFuzzTest {
    static final long SEED = 0x6d696e69766d6dL;
    static final int CASES_PER_IMAGE = Integer.getInteger("loader.fuzzCases", 700);
    static final long[] INTERESTING = {0, 1, 0x7f, 0x80, 0xff, 0x100, 0x1000, 0x7fff, 0xffff, 0x10000, 0x7fffffffL,
        0x80000000L, 0xffffffffL, 0x100000000L, Long.MAX_VALUE, Long.MIN_VALUE, -1L, -2L, -4096L};

    record Outcome(int ok, int refused) {
    }

    @Test
    void mutatedSyntheticImagesLoadOrFailCleanly() {
        Random rnd = new Random(SEED);
        int ok = 0;
        int refused = 0;
        for (Map.Entry<String, byte[]> e : SyntheticImages.all().entrySet()) {
            for (int i = 0; i < CASES_PER_IMAGE; i++) {
                byte[] m = mutate(e.getValue(), rnd);
                Outcome o = run(e.getKey() + "#" + i, m, rnd);
                ok += o.ok;
                refused += o.refused;
            }
        }
        assertTrue(ok > 100 && refused > 1000, "the fuzzer should both pass and fail images: ok=" + ok + " refused=" + refused);
    }

    @Test
    void mutatedRealHeadersLoadOrFailCleanly() throws Exception {
        Path dir = Images.realImages();
        io.minivmm.vmm.ExternalFiles.assume(dir != null, "real images not found");
        List<byte[]> bases = new ArrayList<>();
        byte[] bz = KernelLoader.readImage(dir.resolve("linux-tiny.bzImage"));
        bases.add(Arrays.copyOf(bz, 64 * 1024)); // header intact, kernel truncated: syssize now lies
        byte[] small = bz.clone();
        bases.add(small);
        byte[] vm = KernelLoader.readImage(dir.resolve("linux-tiny.vmlinux"));
        // ELF header + program headers + the notes, segments pointed at the start of the file
        byte[] vmHead = Arrays.copyOf(vm, 0x1000);
        bases.add(vmHead);
        bases.add(vm); // whole: mutations mostly in the ELF header, program headers and notes

        Random rnd = new Random(SEED + 1);
        for (int b = 0; b < bases.size(); b++) {
            boolean whole = b == 1 || b == 3; // 1.3 MB bzImage, 14 MB vmlinux: fewer cases
            int n = whole ? 40 : 400;
            for (int i = 0; i < n; i++) {
                byte[] m = mutate(bases.get(b), rnd, b == 1 ? 0x300 : 0x1000);
                if (b == 3 && rnd.nextBoolean()) {
                    int notes = 0x83ea34; // the PT_NOTE segment of linux-tiny.vmlinux
                    if (m.length > notes + 0x6c) {
                        m[notes + rnd.nextInt(0x6c)] = (byte) rnd.nextInt(256);
                    }
                }
                run("real" + b + "#" + i, m, rnd);
            }
        }
    }

    /** The kept corpora: the bootable seeds (src/test/resources/fuzz-corpus) and the malformed images (loader-corpus). */
    static List<Path> corpus() throws java.io.IOException {
        List<Path> out = new ArrayList<>();
        for (String d : new String[] {"fuzz-corpus", "loader-corpus"}) {
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(Path.of("src", "test", "resources", d))) {
                files.filter(f -> !f.toString().endsWith(".expect") && !f.toString().endsWith(".md")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    /**
     * Every kept corpus file, mutated in its headers, through every loader (formats forced at
     * random, multiboot1/multiboot2 included), with initrds from memory and from a file, and the
     * symbol reader on each: a clean load or one ImageException line, nothing else. A load must
     * keep the vCPU area clear of everything it wrote.
     */
    @Test
    void mutatedCorpusLoadsOrFailsCleanly(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Random rnd = new Random(SEED + 2);
        Path initrd = tmp.resolve("initrd.img");
        java.nio.file.Files.write(initrd, Images.fill(12345, 5));
        int ok = 0;
        int cases = 0;
        for (Path seed : corpus()) {
            byte[] base = java.nio.file.Files.readAllBytes(seed);
            boolean bootable = seed.getParent().getFileName().toString().equals("fuzz-corpus");
            int n = bootable ? Integer.getInteger("loader.fuzzSeedCases", 300) : 30;
            for (int i = 0; i < n; i++) {
                byte[] m = mutate(base, rnd, Math.min(base.length, 0x300));
                Outcome o = run(seed.getFileName() + "#" + i, m, rnd, rnd.nextInt(4) == 0 ? initrd : null);
                ok += o.ok;
                cases++;
                Symbols.fromElf(m).lookup(rnd.nextLong());
            }
        }
        assertTrue(cases > 2000, "a few thousand cases: " + cases);
        assertTrue(ok > 200, "mutations of the bootable seeds should often still load: " + ok);
    }

    static Outcome run(String name, byte[] image, Random rnd) {
        return run(name, image, rnd, null);
    }

    static Outcome run(String name, byte[] image, Random rnd, Path initrdFile) {
        ImageFormat[] formats = ImageFormat.values();
        ImageFormat f = rnd.nextInt(3) == 0 ? formats[rnd.nextInt(formats.length)] : ImageFormat.AUTO;
        LoadOptions opts = LoadOptions.cmdline("console=ttyS0").withInitrd(new byte[rnd.nextInt(3) * 5000], "rd")
                .withRaw(rnd.nextInt(0x400000), null, CpuMode.values()[rnd.nextInt(3)]);
        long ramSize = rnd.nextBoolean() ? 64L << 20 : rnd.nextBoolean() ? 0x180000 : 5L << 30;
        FakeGuestRam ram = FakeGuestRam.withHole(ramSize);
        try {
            if (initrdFile != null) opts = opts.withInitrd(ModuleSource.of(initrdFile), "file");
            BootPlan plan = KernelLoader.load(f, image, ram, opts);
            if (plan.mode() != CpuMode.REAL) {
                long a = plan.vcpuArea(), e = a + Layout.VCPU_AREA_SIZE;
                for (BootPlan.Region w : plan.writes()) {
                    boolean overlaps = Long.compareUnsigned(w.gpa(), e) < 0 && Long.compareUnsigned(a, w.end()) < 0;
                    assertFalse(overlaps && !w.reserved(), name + ": " + w + " overlaps the vCPU area at 0x" + Long.toHexString(a));
                }
            }
            return new Outcome(1, 0);
        } catch (ImageException e) {
            String m = e.getMessage();
            assertFalse(m == null || m.isBlank() || m.contains("\n"), name + ": bad message " + m);
            assertTrue(ram.untouched(), name + ": failed load wrote guest RAM");
            return new Outcome(0, 1);
        } catch (Throwable t) {
            String hex = HexFormat.of().formatHex(image, 0, Math.min(image.length, 1024));
            fail(name + " (format " + f + ", RAM " + ramSize + ") threw " + t + "\nimage[0..1024]=" + hex, t);
            return null;
        }
    }

    static byte[] mutate(byte[] base, Random rnd) {
        return mutate(base, rnd, base.length);
    }

    /** One to four mutations, biased towards the first {@code hot} bytes (the headers). */
    static byte[] mutate(byte[] base, Random rnd, int hot) {
        byte[] b = base.clone();
        int n = 1 + rnd.nextInt(4);
        for (int k = 0; k < n && b.length > 0; k++) {
            int lim = Math.min(b.length, rnd.nextInt(4) == 0 ? b.length : hot);
            int pos = rnd.nextInt(lim);
            switch (rnd.nextInt(6)) {
                case 0 -> b[pos] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> b[pos] = (byte) rnd.nextInt(256);
                case 2 -> {
                    if (pos + 4 <= b.length) {
                        ImageBytes.put32(b, pos & ~3, INTERESTING[rnd.nextInt(INTERESTING.length)]);
                    }
                }
                case 3 -> {
                    if (pos + 8 <= b.length) {
                        ImageBytes.put64(b, pos & ~7, INTERESTING[rnd.nextInt(INTERESTING.length)] + rnd.nextInt(3) - 1);
                    }
                }
                case 4 -> b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
                default -> {
                    if (pos + 2 <= b.length) {
                        ImageBytes.put16(b, pos & ~1, (int) INTERESTING[rnd.nextInt(INTERESTING.length)]);
                    }
                }
            }
        }
        return b;
    }
}
