package io.minivmm.vmm.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.minivmm.vmm.loader.Images.Seg;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Truncations, lying lengths, overlaps and absurd counts: always an {@link ImageException} whose
 * one-line message names the field, never another exception. The interesting cases are also kept
 * as files in {@code src/test/resources/loader-corpus/} (name prefix = forced format, {@code .expect}
 * = a fragment the message must contain); regenerate with {@link #main}.
 */
class MalformedImageTest {
    static final long MIB = 1 << 20;
    static final Path CORPUS = Path.of("src/test/resources/loader-corpus");

    record Case(byte[] image, String expect) {
    }

    static byte[] bz() {
        return SyntheticImages.all().get("bzimage64");
    }

    static byte[] with(byte[] b, java.util.function.Consumer<byte[]> edit) {
        byte[] c = b.clone();
        edit.accept(c);
        return c;
    }

    static byte[] elf64(Seg... segs) {
        return Images.elf(true, 0x200000, null, segs);
    }

    /** Name (its prefix picks the forced format) -> malformed image and a fragment of the expected message. */
    static Map<String, Case> cases() {
        Map<String, Case> m = new LinkedHashMap<>();
        m.put("bzimage-setup-sects-past-eof", new Case(with(bz(), b -> b[0x1f1] = (byte) 200), "setup_sects 200 extends past end of file"));
        m.put("bzimage-truncated-in-header", new Case(Arrays.copyOf(bz(), 0x207), "version"));
        m.put("bzimage-old-protocol", new Case(with(bz(), b -> ImageBytes.put16(b, 0x206, 0x204)), "2.04 is too old"));
        m.put("bzimage-syssize-lie", new Case(with(bz(), b -> ImageBytes.put32(b, 0x1f4, 0x10000)), "syssize"));
        m.put("bzimage-header-end-lie", new Case(with(bz(), b -> b[0x201] = (byte) 0xff), "setup header end 0x301"));
        m.put("bzimage-header-too-short", new Case(with(bz(), b -> b[0x201] = 0x10), "setup header end 0x212"));
        m.put("bzimage-pref-address-huge", new Case(with(bz(), b -> ImageBytes.put64(b, 0x258, -4096L)), "pref_address"));
        m.put("bzimage-init-size-beyond-ram", new Case(with(bz(), b -> ImageBytes.put32(b, 0x260, 0xfff00000L)), "kernel init_size"));
        m.put("elf-phnum-huge", new Case(with(elf64(Seg.load(0x200000, new byte[16])), b -> ImageBytes.put16(b, 56, 0xfffe)),
                "e_phnum 65534"));
        m.put("elf-phnum-xnum", new Case(with(elf64(Seg.load(0x200000, new byte[16])), b -> ImageBytes.put16(b, 56, 0xffff)), "PN_XNUM"));
        m.put("elf-phentsize-zero", new Case(with(elf64(Seg.load(0x200000, new byte[16])), b -> ImageBytes.put16(b, 54, 0)),
                "e_phentsize 0"));
        m.put("elf-phoff-huge", new Case(with(elf64(Seg.load(0x200000, new byte[16])), b -> ImageBytes.put64(b, 32, -8L)), "e_phoff"));
        m.put("elf-filesz-gt-memsz", new Case(with(elf64(Seg.load(0x200000, new byte[16])), b -> ImageBytes.put64(b, 64 + 40, 8)),
                "p_filesz 0x10 exceeds p_memsz 0x8"));
        m.put("elf-offset-past-eof", new Case(with(elf64(Seg.load(0x200000, new byte[16])), b -> ImageBytes.put64(b, 64 + 8, 0x7ffffffffff0L)),
                "p_offset"));
        m.put("elf-filesz-huge", new Case(with(elf64(Seg.load(0x200000, new byte[16])), b -> {
            ImageBytes.put64(b, 64 + 32, -16L);
            ImageBytes.put64(b, 64 + 40, -16L);
        }), "p_filesz"));
        m.put("elf-paddr-wraps", new Case(with(elf64(Seg.load(0x200000, new byte[16])), b -> ImageBytes.put64(b, 64 + 24, -8L)),
                "p_paddr 0xfffffffffffffff8 + p_memsz 0x10 wraps"));
        m.put("elf-memsz-beyond-ram", new Case(with(elf64(Seg.load(0x200000, new byte[16])), b -> ImageBytes.put64(b, 64 + 40, 1L << 40)),
                "does not fit in guest RAM"));
        m.put("elf-truncated-phdrs", new Case(Arrays.copyOf(elf64(Seg.load(0x200000, new byte[16]), Seg.load(0x300000, new byte[16])), 64 + 56 + 20),
                "e_phnum 2"));
        m.put("elf-entry-outside", new Case(with(elf64(Seg.load(0x200000, new byte[16])), b -> ImageBytes.put64(b, 24, 0x500000)),
                "e_entry 0x500000"));
        m.put("elf-big-endian", new Case(with(elf64(Seg.load(0x200000, new byte[16])), b -> b[5] = 2), "EI_DATA"));
        m.put("elf-wrong-machine", new Case(with(elf64(Seg.load(0x200000, new byte[16])), b -> ImageBytes.put16(b, 18, 40)), "e_machine 40"));
        m.put("pvh-note-namesz-lie", new Case(with(PvhLoaderTest.image(true, 0x200040, true), b -> {
            int note = (int) ImageBytes.le64(b, 64 + 56 + 8);
            ImageBytes.put32(b, note, 0x7fffffff);
        }), "namesz 2147483647"));
        m.put("pvh-note-descsz-odd", new Case(Images.elf(true, 0x200000, null, Seg.load(0x200000, new byte[16]),
                Seg.note(Images.note("Xen", 18, new byte[6]))), "descsz 6"));
        m.put("pvh-overlapping-segments", new Case(Images.elf(true, 0x200000, null, Seg.load(0x200000, new byte[0x2000]),
                Seg.load(0x201000, new byte[0x100]), Seg.note(Images.pvhNote(0x200000, true))), "PT_LOAD[1] [0x201000, 0x201100) overlaps"));
        m.put("pvh-segment-over-start-info", new Case(Images.elf(true, 0x10000, null, Seg.load(0x10000, new byte[0x100]),
                Seg.note(Images.pvhNote(0x10000, true))), "overlaps"));
        m.put("multiboot-aout-load-end-lie", new Case(MultibootLoaderTest.aout(0x900000, 0, 0x200080), "load_end_addr 0x900000"));
        m.put("multiboot-aout-header-addr-lie", new Case(with(MultibootLoaderTest.aout(0, 0, 0x200080), b -> {
            byte[] h = Images.mb1Header(0x10000, 0xfffffff0L, 0x200000, 0, 0, 0x200080);
            System.arraycopy(h, 0, b, 0x40, h.length);
        }), "header_addr 0xfffffff0"));
        m.put("multiboot-video-mode-required", new Case(MultibootLoaderTest.elf32(0x7), "bit 2 (video mode)"));
        m.put("multiboot-aout-truncated-fields", new Case(Images.concat(new byte[8], Arrays.copyOf(Images.mb1Header(0x10000), 14)), "header_addr"));
        byte[] mb2 = Multiboot2LoaderTest.elf(Images.mb2Tag(6, 0));
        int h2 = Multiboot2Loader.findHeader(mb2);
        m.put("multiboot-mb2-tag-size-lie", new Case(with(mb2, b -> ImageBytes.put32(b, h2 + 20, 0xffffffffL)), "size 4294967295"));
        m.put("multiboot-mb2-tag-size-small", new Case(with(mb2, b -> ImageBytes.put32(b, h2 + 20, 4)), "size 4 is below 8"));
        m.put("multiboot-mb2-no-end-tag", new Case(with(mb2, b -> {
            ImageBytes.put32(b, h2 + 8, 24);
            ImageBytes.put32(b, h2 + 12, -(Multiboot2Loader.MAGIC + 24));
        }), "no end tag"));
        m.put("multiboot-mb2-header-length-lie", new Case(with(mb2, b -> {
            ImageBytes.put32(b, h2 + 8, 0x10000);
            ImageBytes.put32(b, h2 + 12, -(Multiboot2Loader.MAGIC + 0x10000));
        }), "header_length 65536"));
        m.put("multiboot-mb2-info-request-odd", new Case(Multiboot2LoaderTest.elf(
                with(Images.mb2Tag(1, 0, 1), t -> ImageBytes.put32(t, 4, 10))), "size 10 is not 8 + a multiple of 4"));
        m.put("auto-unknown-format", new Case(Images.fill(600, 1), "unrecognised image format"));
        m.put("auto-empty", new Case(new byte[0], "unrecognised image format (size 0)"));
        m.put("bootsector-wrong-size", new Case(Arrays.copyOf(Images.bootSector(), 1000), "size 1000"));
        return m;
    }

    static void assertRefused(String name, ImageFormat f, byte[] image, String expect) {
        FakeGuestRam ram = FakeGuestRam.of(64 * MIB);
        try {
            BootPlan p = KernelLoader.load(f, image, ram, LoadOptions.cmdline("x"));
            fail(name + ": expected ImageException containing '" + expect + "', loaded " + p);
        } catch (ImageException e) {
            String m = e.getMessage();
            assertFalse(m.isBlank() || m.contains("\n"), name + ": message " + m);
            assertTrue(expect == null || m.contains(expect), name + ": message '" + m + "' lacks '" + expect + "'");
            assertTrue(ram.untouched(), name + ": failed load wrote guest RAM");
        } catch (RuntimeException e) {
            throw new AssertionError(name + ": unchecked exception for bad input", e);
        }
    }

    @Test
    void everyCaseIsRefusedNamingTheField() {
        for (Map.Entry<String, Case> e : cases().entrySet()) {
            assertRefused(e.getKey(), SyntheticImages.formatOf(e.getKey()), e.getValue().image(), e.getValue().expect());
        }
    }

    @Test
    void truncationAtEveryOffsetOfTheHeaders() {
        for (Map.Entry<String, byte[]> e : SyntheticImages.all().entrySet()) {
            byte[] img = e.getValue();
            ImageFormat f = SyntheticImages.formatOf(e.getKey());
            for (int len = 0; len < img.length; len += len < 0x300 ? 1 : 61) {
                byte[] cut = Arrays.copyOf(img, len);
                for (ImageFormat g : List.of(f, ImageFormat.AUTO)) {
                    try {
                        KernelLoader.load(g, cut, FakeGuestRam.of(64 * MIB), LoadOptions.none());
                    } catch (ImageException ex) {
                        assertFalse(ex.getMessage().contains("\n"));
                    } catch (RuntimeException ex) {
                        throw new AssertionError(e.getKey() + " cut at " + len + " as " + g, ex);
                    }
                }
            }
        }
    }

    @Test
    void truncationNamesTheField() {
        byte[] b = bz();
        Map<Integer, String> bzCuts = Map.of(0x1f0, "boot_flag", 0x203, "header", 0x207, "version", 0x201, "header (offset 0x202",
                0x240, "setup_sects 4 extends past end of file");
        bzCuts.forEach((len, field) -> assertRefused("bz@" + len, ImageFormat.BZIMAGE, Arrays.copyOf(b, len), field));
        byte[] e = elf64(Seg.load(0x200000, new byte[16]));
        Map<Integer, String> elfCuts = Map.of(3, "no ELF magic", 4, "EI_CLASS", 5, "EI_DATA", 63, "ELF header (offset 0x0, 64 bytes)",
                64 + 55, "e_phnum 1 x e_phentsize 56", e.length - 1, "p_offset");
        elfCuts.forEach((len, field) -> assertRefused("elf@" + len, ImageFormat.ELF, Arrays.copyOf(e, len), field));
        byte[] mb = MultibootLoaderTest.elf32(0x3);
        assertRefused("mb1 elf cut", ImageFormat.MULTIBOOT, Arrays.copyOf(mb, mb.length - 1), "p_offset");
    }

    @Test
    void corpusFilesAreRefusedWithOneLineMessages() throws IOException {
        Path dir = corpusDir();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".bin")).sorted().toList();
        }
        assertTrue(files.size() >= 20, "corpus has " + files.size() + " files");
        for (Path p : files) {
            String name = p.getFileName().toString().replace(".bin", "");
            Path exp = p.resolveSibling(name + ".expect");
            String expect = Files.exists(exp) ? Files.readString(exp, StandardCharsets.UTF_8).strip() : null;
            assertRefused(name, SyntheticImages.formatOf(name), Files.readAllBytes(p), expect);
        }
    }

    static Path corpusDir() {
        if (Files.isDirectory(CORPUS)) {
            return CORPUS; // the source of truth when run from the module directory
        }
        java.net.URL u = MalformedImageTest.class.getResource("/loader-corpus");
        if (u != null) {
            try {
                return Path.of(u.toURI());
            } catch (java.net.URISyntaxException ignored) {
                // fall through
            }
        }
        return CORPUS;
    }

    /**
     * Regenerates the corpus from {@link #cases()} (a tool, not a test): from vmm/, run
     * {@code java -cp target/classes:target/test-classes io.minivmm.vmm.loader.MalformedImageTest}
     * with the test classpath.
     */
    public static void main(String[] args) throws Exception {
        Files.createDirectories(CORPUS);
        for (Map.Entry<String, Case> e : cases().entrySet()) {
            Files.write(CORPUS.resolve(e.getKey() + ".bin"), e.getValue().image());
            Files.writeString(CORPUS.resolve(e.getKey() + ".expect"), e.getValue().expect() + "\n");
        }
        System.out.println("wrote " + cases().size() + " cases to " + CORPUS.toAbsolutePath());
    }
}
