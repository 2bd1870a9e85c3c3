package io.minivmm.vmm;

import io.minivmm.kvm.KvmUnavailableException;
import io.minivmm.vmm.arch.x86.CpuMode;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line: {@code java -jar vmm.jar [--kernel IMAGE] [options]} (see CLI-CONTRACT.md). */
@Command(name = "vmm.jar", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        description = "minivmm: boot a guest kernel on KVM with its serial console on the terminal.%n"
                + "With no --kernel, boots the embedded demo guest.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "v & 0xff:the guest wrote v to port 0xf4 (--debug-exit exact)",
            "0:guest reset the machine, or --expect matched",
            "1:--fail-on matched",
            "64:bad command line", "65:malformed image or does not fit in RAM", "66:input file missing or unreadable",
            "69:KVM unavailable", "70:internal error, KVM internal error, failed VM entry", "124:--timeout elapsed",
            "125:guest triple-faulted"})
public final class Main implements Callable<Integer> {
    public static final int EX_USAGE = 64, EX_DATAERR = 65, EX_NOINPUT = 66, EX_UNAVAILABLE = 69, EX_SOFTWARE = 70;

    @Option(names = "--kernel", paramLabel = "FILE", description = "guest image; format detected from its content")
    Path kernel;
    @Option(names = "--format", paramLabel = "F", description = "auto, bzimage, pvh, elf, multiboot, bootsector, raw (default: ${DEFAULT-VALUE})")
    String format = "auto";
    @Option(names = "--initrd", paramLabel = "FILE", description = "initial ramdisk")
    Path initrd;
    @Option(names = "--cmdline", paramLabel = "STR", description = "kernel command line")
    String cmdline;
    @Option(names = "--mem", paramLabel = "SIZE", description = "guest RAM, e.g. 256M, 2G (default: ${DEFAULT-VALUE})")
    String mem = "256M";
    @Option(names = "--cpus", paramLabel = "N", description = "number of vCPUs (default: ${DEFAULT-VALUE})")
    int cpus = 1;
    @Option(names = "--cpu", paramLabel = "MODEL", description = "CPU model (host, baseline) with ,+feat/,-feat toggles")
    String cpu = "default";
    @Option(names = "--timeout", paramLabel = "DUR", description = "wall-clock limit, e.g. 500ms, 10s, 2m")
    String timeout;
    @Option(names = "--load-addr", paramLabel = "A", description = "raw format: load address")
    String loadAddr;
    @Option(names = "--entry", paramLabel = "A", description = "raw format: entry address")
    String entry;
    @Option(names = "--mode", paramLabel = "M", description = "raw format: real, protected or long")
    String mode;
    @Option(names = "--debug-exit", paramLabel = "M", description = "exact, qemu or off (default: ${DEFAULT-VALUE})")
    String debugExit = "exact";
    @Option(names = "--prefault", description = "populate all guest RAM before boot")
    boolean prefault;
    @Option(names = "--no-prefault", description = "fault guest RAM in lazily (default)")
    boolean noPrefault;
    @Option(names = "--hugepages", description = "back guest RAM with transparent huge pages")
    boolean hugepages;
    @Option(names = "--expect", paramLabel = "REGEX", description = "exit 0 as soon as the serial output matches")
    String expect;
    @Option(names = "--fail-on", paramLabel = "REGEX", description = "exit 1 as soon as the serial output matches")
    String failOn;
    @Option(names = "--report", paramLabel = "FILE", description = "write a JSON run report")
    Path report;
    @Option(names = "-v", description = "more VMM logging (repeat for more)")
    boolean[] verbose = new boolean[0];
    @Option(names = "-q", description = "less VMM logging")
    boolean quiet;

    /** Where the one-line user errors go (stderr). */
    private static final PrintStream ERR = System.err;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit status (for tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, a) -> {
            ERR.println("minivmm: " + ex.getMessage());
            ERR.println("Try 'java -jar vmm.jar --help' for more information.");
            return EX_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            ERR.println("minivmm: internal error: " + ex);
            if (isVerbose(args)) ex.printStackTrace(ERR);
            return EX_SOFTWARE;
        });
        return cl.execute(args);
    }

    private static boolean isVerbose(String[] args) {
        for (String a : args) if (a.matches("-v+")) return true;
        return false;
    }

    static final class UsageError extends Exception {
        UsageError(String m) { super(m); }
    }

    @Override
    public Integer call() {
        System.setProperty("minivmm.log.level", quiet ? "error" : verbose.length >= 2 ? "trace" : verbose.length == 1 ? "debug" : "warn");
        VmBuilder b;
        try {
            b = configure();
        } catch (UsageError e) {
            ERR.println("minivmm: " + e.getMessage());
            return EX_USAGE;
        }
        if (kernel != null) {
            int s = checkReadable(kernel, "kernel");
            if (s != 0) return s;
        }
        if (initrd != null) {
            int s = checkReadable(initrd, "initrd");
            if (s != 0) return s;
        }
        PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
        b.serialOutput(stdout);
        if (System.console() == null) b.serialInput(System.in);
        RunResult r;
        try {
            r = b.build().run();
        } catch (KvmUnavailableException e) {
            ERR.println("minivmm: KVM is unavailable: " + e.reason());
            return EX_UNAVAILABLE;
        } catch (ImageException e) {
            ERR.println("minivmm: " + e.getMessage());
            return EX_DATAERR;
        } catch (NoSuchFileException | AccessDeniedException e) {
            ERR.println("minivmm: cannot read " + e.getFile());
            return EX_NOINPUT;
        } catch (IOException e) {
            ERR.println("minivmm: " + e.getMessage());
            return EX_NOINPUT;
        } catch (IllegalArgumentException e) {
            ERR.println("minivmm: " + e.getMessage());
            return EX_USAGE;
        } catch (RuntimeException e) {
            ERR.println("minivmm: internal error: " + e.getMessage());
            if (verbose.length > 0) e.printStackTrace(ERR);
            return EX_SOFTWARE;
        }
        stdout.flush();
        if (!r.crashReport().isEmpty()) ERR.print(r.crashReport());
        if (r.outcome() != Outcome.GUEST_EXIT && r.outcome() != Outcome.RESET || verbose.length > 0) {
            if (!quiet) ERR.println("minivmm: " + r.message());
        }
        return r.exitStatus();
    }

    private static int checkReadable(Path p, String what) {
        if (!Files.exists(p)) {
            ERR.println("minivmm: " + what + " file " + p + " does not exist");
            return EX_NOINPUT;
        }
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            ERR.println("minivmm: " + what + " file " + p + " is not a readable file");
            return EX_NOINPUT;
        }
        return 0;
    }

    private VmBuilder configure() throws UsageError {
        VmBuilder b = Vm.builder();
        if (kernel != null) b.kernel(kernel);
        String f = format.toLowerCase(Locale.ROOT);
        if (!f.matches("auto|bzimage|pvh|elf|multiboot|bootsector|raw")) {
            throw new UsageError("--format must be one of auto, bzimage, pvh, elf, multiboot, bootsector, raw (got '" + format + "')");
        }
        boolean rawArgs = loadAddr != null || entry != null || mode != null;
        if (f.equals("raw")) {
            if (kernel == null) throw new UsageError("--format raw needs --kernel");
            if (loadAddr == null || entry == null || mode == null) {
                throw new UsageError("--format raw needs --load-addr, --entry and --mode");
            }
            CpuMode m = switch (mode.toLowerCase(Locale.ROOT)) {
                case "real" -> CpuMode.REAL;
                case "protected" -> CpuMode.PROTECTED;
                case "long" -> CpuMode.LONG;
                default -> throw new UsageError("--mode must be real, protected or long (got '" + mode + "')");
            };
            b.raw(parseAddress("--load-addr", loadAddr), parseAddress("--entry", entry), m);
        } else {
            if (rawArgs) throw new UsageError("--load-addr, --entry and --mode are for --format raw only");
            b.format(f);
        }
        if (initrd != null) b.initrd(initrd);
        if (cmdline != null) b.cmdline(cmdline);
        long bytes = parseSize("--mem", mem);
        if (bytes < (1L << 20) || (bytes & 0xfff) != 0) throw new UsageError("--mem must be at least 1M and a multiple of 4K (got '" + mem + "')");
        b.memory(bytes);
        if (cpus < 1 || cpus > 255) throw new UsageError("--cpus must be between 1 and 255 (got " + cpus + ")");
        b.cpus(cpus);
        b.cpu(cpu);
        if (timeout != null) b.timeout(parseDuration("--timeout", timeout));
        b.debugExit(switch (debugExit.toLowerCase(Locale.ROOT)) {
            case "exact" -> DebugExitMode.EXACT;
            case "qemu" -> DebugExitMode.QEMU;
            case "off" -> DebugExitMode.OFF;
            default -> throw new UsageError("--debug-exit must be exact, qemu or off (got '" + debugExit + "')");
        });
        if (prefault && noPrefault) throw new UsageError("--prefault and --no-prefault contradict each other");
        b.prefault(prefault);
        b.hugepages(hugepages);
        if (expect != null) b.expect(regex("--expect", expect));
        if (failOn != null) b.failOn(regex("--fail-on", failOn));
        return b;
    }

    static Pattern regex(String opt, String s) throws UsageError {
        try {
            return Pattern.compile(s);
        } catch (PatternSyntaxException e) {
            throw new UsageError(opt + " is not a valid regular expression: " + e.getDescription());
        }
    }

    /** {@code 256M}, {@code 2G}, {@code 1048576}, {@code 64K}; binary units, optional trailing B/iB. */
    static long parseSize(String opt, String s) throws UsageError {
        java.util.regex.Matcher m = Pattern.compile("(?i)(\\d+)\\s*([kmgt]?)(i?b)?").matcher(s.trim());
        if (!m.matches()) throw new UsageError(opt + " must be a size like 256M or 2G (got '" + s + "')");
        long v;
        try {
            v = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new UsageError(opt + " is too large: " + s);
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        if (v > (Long.MAX_VALUE >> shift)) throw new UsageError(opt + " is too large: " + s);
        return v << shift;
    }

    /** {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}; a bare number is seconds. */
    static Duration parseDuration(String opt, String s) throws UsageError {
        java.util.regex.Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?").matcher(s.trim());
        if (!m.matches()) throw new UsageError(opt + " must be a duration like 500ms, 10s or 2m (got '" + s + "')");
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double ms = switch (unit) {
            case "ms" -> v;
            case "s" -> v * 1e3;
            case "m" -> v * 60e3;
            default -> v * 3600e3;
        };
        if (ms < 1 || ms > 1e12) throw new UsageError(opt + " must be between 1ms and a few years (got '" + s + "')");
        return Duration.ofMillis((long) ms);
    }

    /** {@code 0x100000} or decimal. */
    static long parseAddress(String opt, String s) throws UsageError {
        try {
            String t = s.trim().toLowerCase(Locale.ROOT);
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2).replace("_", ""), 16) : Long.parseUnsignedLong(t);
        } catch (NumberFormatException e) {
            throw new UsageError(opt + " must be an address like 0x100000 (got '" + s + "')");
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"minivmm " + (v == null ? "development build" : v)};
        }
    }
}
