package io.minivmm.vmm;

import io.minivmm.vmm.devices.DebugExit;
import io.minivmm.kvm.KvmUnavailableException;
import io.minivmm.kvm.sys.NativeWarmUp;
import io.minivmm.vmm.arch.x86.CpuMode;
import io.minivmm.vmm.console.ConsoleSession;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * The command line: {@code java -jar vmm.jar [--kernel IMAGE] [options]}, as CLI-CONTRACT.md
 * specifies. User errors are one line on stderr with the documented exit status; a Java stack
 * trace appears only with {@code -v}.
 */
public final class Main {
    public static final int EX_USAGE = 64, EX_DATAERR = 65, EX_NOINPUT = 66, EX_UNAVAILABLE = 69, EX_SOFTWARE = 70;

    private Main() {}

    public static void main(String[] args) {
        if (boots(args)) {
            NativeWarmUp.start(); // JNA loads on the other CPU meanwhile
            NativeWarmUp.shareWork();
        }
        int status = run(args);
        System.out.flush();
        System.exit(status);
    }

    /** Whether these arguments are likely to boot a guest (not --help or --version). */
    private static boolean boots(String[] args) {
        for (String a : args) {
            if (a.equals("--")) break;
            if (a.equals("-h") || a.equals("--help") || a.equals("--version")) return false;
        }
        return true;
    }

    static final class UsageError extends Exception {
        UsageError(String m) { super(m); }
    }

    static Options options() {
        Options o = new Options();
        arg(o, "kernel", "FILE", "guest image; its format is detected from its content (default: the embedded demo)");
        arg(o, "format", "F", "auto, bzimage, pvh, elf, multiboot (multiboot1, multiboot2: pick one header of a dual-header image), bootsector, raw (default: auto)");
        arg(o, "disk", "FILE[,if=ide|virtio][,ro]", "attach a disk image (repeatable; default if=virtio)");
        arg(o, "console", "KIND", "serial (COM1, the default) or virtio (virtio-console, Linux hvc0)");
        flag(o, null, "rng", "attach a virtio-rng entropy device fed from the host's CSPRNG");
        arg(o, "initrd", "FILE", "initial ramdisk (Linux, PVH module 0, Multiboot module 0)");
        arg(o, "cmdline", "STR", "kernel command line (Linux default: console=ttyS0 reboot=k panic=-1)");
        arg(o, "mem", "SIZE", "guest RAM, e.g. 256M, 2G; a bare number is MiB (default: 256M)");
        arg(o, "cpus", "N", "number of vCPUs (default: 1)");
        arg(o, "cpu", "MODEL", "CPU model: default, host or baseline, with ,+feat/,-feat toggles (default: default)");
        arg(o, "timeout", "DUR", "wall-clock limit, e.g. 500ms, 10s, 2m (exit 124)");
        arg(o, "load-addr", "A", "raw format: load address");
        arg(o, "entry", "A", "raw format: entry address");
        arg(o, "mode", "M", "raw format: real, protected or long");
        arg(o, "acpi", "on|off", "ACPI tables for the guest (default: on; the MP table is always there)");
        arg(o, "debug-exit", "M", "port 0xf4: exact (status v&0xff), qemu ((v<<1)|1) or off (default: exact)");
        flag(o, null, "prefault", "populate all guest RAM before boot");
        flag(o, null, "no-prefault", "fault guest RAM in lazily (default)");
        flag(o, null, "hugepages", "back guest RAM with transparent huge pages");
        arg(o, "mem-file", "FILE", "back guest RAM with FILE, shared (created, or grown to --mem)");
        arg(o, "expect", "REGEX", "exit 0 as soon as the serial output matches");
        arg(o, "fail-on", "REGEX", "exit 1 as soon as the serial output matches");
        arg(o, "report", "FILE", "write a JSON run report");
        arg(o, "debugcon", "stderr|FILE", "where guest writes to the debug-console ports 0xE9/0x402 go (default: counted only)");
        flag(o, null, "allow-panic", "a guest kernel panic is not a failure: the run ends as the guest ends it (default: status 123)");
        arg(o, "vga", "MODE", "text: mirror the VGA text screen (0xB8000) to stdout when it changes; none (default)");
        arg(o, "snapshot-on", "REGEX", "take a snapshot when the serial output matches (needs --snapshot-file)");
        arg(o, "snapshot-file", "FILE", "where --snapshot-on writes the snapshot");
        flag(o, null, "snapshot-and-exit", "end the run (status 0) once the --snapshot-on snapshot is written");
        arg(o, "restore", "FILE", "continue the machine saved in a snapshot instead of booting (65: unusable snapshot)");
        o.addOption(Option.builder().longOpt("gdb").hasArg().optionalArg(true).argName("[HOST:]PORT")
                .desc("serve the GDB remote protocol (default 127.0.0.1:1234; loopback unless HOST is named)").build());
        flag(o, null, "gdb-wait", "hold every vCPU before its first instruction until gdb continues (implies --gdb)");
        flag(o, "s", null, "QEMU's spelling of --gdb 127.0.0.1:1234");
        flag(o, "S", null, "QEMU's spelling of --gdb-wait");
        flag(o, "v", null, "more VMM logging on stderr (-v -v: even more)");
        flag(o, "q", null, "less VMM logging");
        flag(o, "h", "help", "print this help and exit");
        flag(o, null, "version", "print the version and exit");
        return o;
    }

    private static void arg(Options o, String name, String argName, String desc) {
        o.addOption(Option.builder().longOpt(name).hasArg().argName(argName).desc(desc).build());
    }

    private static void flag(Options o, String shortName, String longName, String desc) {
        o.addOption(Option.builder(shortName).longOpt(longName).desc(desc).build());
    }

    /**
     * QEMU's spellings a user may type out of habit, with the minivmm equivalent. Options this
     * build does not have yet are named as missing rather than pointed at.
     */
    private static String qemuEquivalent(Options o, String arg) {
        return switch (arg) {
            case "-append" -> "use --cmdline STR";
            case "-m" -> "use --mem SIZE (a bare number is MiB, as with -m)";
            case "-smp" -> "use --cpus N";
            case "-kernel" -> "use --kernel FILE";
            case "-initrd" -> "use --initrd FILE";
            case "-nographic" -> "drop it: the serial console is always stdin/stdout";
            case "-serial" -> "drop it: COM1 is always on stdin/stdout";
            case "-enable-kvm", "-accel" -> "drop it: minivmm always runs on KVM";
            case "-s" -> o.hasLongOption("gdb") ? "use --gdb 1234" : "minivmm has no GDB stub in this build";
            case "-S" -> o.hasLongOption("gdb-wait") ? "use --gdb-wait" : "minivmm has no GDB stub in this build";
            case "-drive", "-hda" -> o.hasLongOption("disk") ? "use --disk FILE" : "minivmm has no disks in this build";
            default -> null;
        };
    }

    /** The one-line answer to the first QEMU spelling among the arguments (outside option values), or null. */
    static String qemuHabit(Options o, String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) return null;
            String answer = qemuEquivalent(o, a);
            if (answer != null) return a + " is QEMU's spelling: " + answer + " (see --help)";
            if (a.startsWith("--") && !a.contains("=")) {
                Option opt = o.getOption(a.substring(2));
                if (opt != null && opt.hasArg()) i++; // skip its value: --cmdline -s is a value
            }
        }
        return null;
    }

    /** Runs the CLI and returns the exit status (tests call this). */
    public static int run(String... args) {
        CommandLine cl;
        Options options = options();
        String qemu = qemuHabit(options, args);
        if (qemu != null) {
            System.err.println("minivmm: " + qemu);
            return EX_USAGE;
        }
        try {
            cl = new DefaultParser().parse(options, args);
            if (!cl.getArgList().isEmpty()) throw new UsageError("unexpected argument '" + cl.getArgList().get(0) + "'");
        } catch (ParseException | UsageError e) {
            System.err.println("minivmm: " + e.getMessage());
            System.err.println("Try 'java -jar vmm.jar --help' for more information.");
            return EX_USAGE;
        }
        if (cl.hasOption("help")) {
            PrintWriter pw = new PrintWriter(System.out);
            new HelpFormatter().printHelp(pw, 100, "java -jar vmm.jar [--kernel IMAGE] [options]",
                    "Boots a guest on KVM with its 16550 serial console on stdin/stdout.%n".formatted(), options, 2, 2,
                    "%nExit status: the guest's debug-exit value; 0 reset or --expect; 1 --fail-on; 64 usage; 65 bad image or snapshot;"
                            .formatted() + " 66 unreadable file; 69 no KVM; 70 internal error; 123 guest panic; 124 timeout; 125 triple fault;"
                            + " 128+n signal n; 137 killed from gdb.");
            pw.flush();
            return 0;
        }
        if (cl.hasOption("version")) {
            String v = Main.class.getPackage().getImplementationVersion();
            System.out.println("minivmm " + (v == null ? "development build" : v));
            return 0;
        }
        int verbose = 0;
        for (Option opt : cl.getOptions()) if ("v".equals(opt.getOpt())) verbose++;
        boolean quiet = cl.hasOption("q");
        System.setProperty("minivmm.log.level", quiet ? "error" : verbose >= 2 ? "trace" : verbose == 1 ? "debug" : "warn");
        Log.reset();
        try {
            return boot(cl, verbose, quiet);
        } catch (UsageError e) {
            System.err.println("minivmm: " + e.getMessage());
            return EX_USAGE;
        } catch (RuntimeException e) {
            // A VMM bug, not a user error: one line, the stack trace only with -v.
            System.err.println("minivmm: internal error: " + e);
            if (verbose > 0) e.printStackTrace();
            return EX_SOFTWARE;
        }
    }

    private static int boot(CommandLine cl, int verbose, boolean quiet) throws UsageError {
        // The report file first: an unwritable path is a usage error found before anything boots.
        RunReport.Target report = null;
        if (cl.hasOption("report")) {
            try {
                report = RunReport.open(Path.of(cl.getOptionValue("report")));
            } catch (IOException | java.nio.file.InvalidPathException e) {
                throw new UsageError(e instanceof IOException ? e.getMessage()
                        : "--report: not a valid path: " + cl.getOptionValue("report"));
            }
        }
        try {
            return boot(cl, verbose, quiet, report);
        } finally {
            if (report != null) {
                try {
                    report.close();
                } catch (IOException ignored) {
                    // the content was written (or reported as unwritable) already
                }
            }
        }
    }

    private static int boot(CommandLine cl, int verbose, boolean quiet, RunReport.Target report) {
        VmBuilder b;
        try {
            b = configure(cl);
        } catch (UsageError e) {
            return fail(report, null, RunReport.USAGE_ERROR, EX_USAGE, e.getMessage());
        }
        RunReport.Config config = reportConfig(cl, b);
        for (String opt : new String[] {"kernel", "initrd", "restore"}) {
            if (cl.hasOption(opt)) {
                String problem = checkReadable(Path.of(cl.getOptionValue(opt)), opt);
                if (problem != null) return fail(report, config, RunReport.NO_INPUT, EX_NOINPUT, problem);
            }
        }
        for (io.minivmm.vmm.storage.DiskSpec d : b.disks) {
            String problem = checkReadable(d.file(), "disk");
            if (problem != null) return fail(report, config, RunReport.NO_INPUT, EX_NOINPUT, problem);
        }
        // stdout carries the serial stream and nothing else; SerialSink buffers and flushes it.
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        b.serialOutput(stdout);
        if ("text".equals(cl.getOptionValue("vga"))) b.vgaOutput(stdout); // validated when the builder was made
        b.serialCaptureLimit(SERIAL_CAPTURE); // the CLI prints the stream; keep only a tail for crash reports
        RunResult r = null;
        try (ConsoleSession console = ConsoleSession.open(System.err)) {
            b.serialInput(console.input()); // null when stdin is /dev/null: no input thread
            String outcome = null;
            int failStatus = 0;
            String failMessage = null;
            RuntimeException internal = null;
            try {
                Vm vm = b.build();
                console.whenStopRequested(new Runnable() { // not vm::stop: no lambda to link at start (docs/STARTUP.md)
                    @Override
                    public void run() {
                        vm.stop();
                    }
                });
                console.enterRaw();
                r = vm.run();
            } catch (KvmUnavailableException e) {
                outcome = RunReport.KVM_UNAVAILABLE;
                failStatus = EX_UNAVAILABLE;
                failMessage = "KVM is unavailable: " + e.reason();
            } catch (ImageException e) {
                outcome = RunReport.BAD_IMAGE;
                failStatus = EX_DATAERR;
                failMessage = e.getMessage();
            } catch (NoSuchFileException | AccessDeniedException e) {
                outcome = RunReport.NO_INPUT;
                failStatus = EX_NOINPUT;
                failMessage = "cannot read " + e.getFile();
            } catch (IOException e) {
                outcome = RunReport.NO_INPUT;
                failStatus = EX_NOINPUT;
                failMessage = String.valueOf(e.getMessage());
            } catch (IllegalArgumentException e) {
                outcome = RunReport.USAGE_ERROR;
                failStatus = EX_USAGE;
                failMessage = e.getMessage();
            } catch (RuntimeException e) {
                outcome = Outcome.INTERNAL_ERROR.name();
                failStatus = EX_SOFTWARE;
                failMessage = "internal error: " + e;
                internal = e;
            } catch (LinkageError e) {
                // JNA or libminivmm.so could not be loaded; if the warm-up thread met it first,
                // this thread sees only NoClassDefFoundError: report the original.
                Throwable cause = NativeWarmUp.failure() != null ? NativeWarmUp.failure() : e;
                outcome = Outcome.INTERNAL_ERROR.name();
                failStatus = EX_SOFTWARE;
                failMessage = "cannot load minivmm's native code: " + cause;
                internal = new RuntimeException(cause);
            } finally {
                console.restoreTerminal(); // before anything is printed to stderr: raw mode has no CR/LF mapping
            }
            if (outcome != null) {
                if (internal != null && verbose > 0) internal.printStackTrace();
                return fail(report, config, outcome, failStatus, failMessage);
            }
            flush(stdout);
            int status = r.exitStatus();
            String message = r.message();
            boolean quietEnd = r.outcome() == Outcome.GUEST_EXIT || r.outcome() == Outcome.RESET;
            if (console.signal() != null) {
                status = console.signalExitStatus();
                message = "stopped by SIG" + console.signal();
            } else if (console.userQuit() && r.outcome() == Outcome.STOPPED) {
                message = "quit from the console (Ctrl-A x)";
                quietEnd = true;
            }
            if (report != null) {
                writeReport(report, RunReport.of(r, config, console.signal(), status, message));
            }
            if (!r.crashReport().isEmpty()) System.err.print(r.crashReport());
            if (!r.stallReport().isEmpty() && !quiet) System.err.print(r.stallReport());
            if (r.debugconBytes() > 0 && !cl.hasOption("debugcon") && !quiet) {
                System.err.println("minivmm: the guest wrote " + r.debugconBytes()
                        + " bytes to the debug console (port 0xE9/0x402); --debugcon stderr shows them");
            }
            if ((!quietEnd || verbose > 0) && !quiet) System.err.println("minivmm: " + message);
            System.err.flush();
            return status;
        }
    }

    /** {@code --debugcon stderr} or a file (created or truncated). */
    private static OutputStream debugconStream(String where) throws UsageError {
        if (where.equals("stderr")) return new FileOutputStream(FileDescriptor.err);
        try {
            return new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(Path.of(where)));
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new UsageError("--debugcon: cannot write " + where + ": " + e.getMessage());
        }
    }

    /** How much of the serial stream the run result keeps (crash reports show its last 2 KiB). */
    static final int SERIAL_CAPTURE = 64 << 10;

    private static void flush(OutputStream out) {
        try {
            out.flush();
        } catch (IOException ignored) {
            // stdout closed by its reader: nothing more can be delivered
        }
    }

    /** Whether {@code --vga text} was given; {@code --vga none} or none at all: false. */
    private static boolean vgaMirror(CommandLine cl) throws UsageError {
        String v = cl.getOptionValue("vga", "none");
        if (v.equals("text")) return true;
        if (v.equals("none")) return false;
        throw new UsageError("--vga must be text or none (got '" + v + "')");
    }

    /** Prints the one-line error, writes the report of a run that never ran, returns the status. */
    private static int fail(RunReport.Target report, RunReport.Config config, String outcome, int status, String message) {
        System.err.println("minivmm: " + message);
        if (report != null) writeReport(report, RunReport.failure(outcome, status, message, config));
        return status;
    }

    private static void writeReport(RunReport.Target report, RunReport rep) {
        try {
            report.write(rep.toJson());
        } catch (IOException e) {
            System.err.println("minivmm: cannot write the report to " + report.path() + ": " + e.getMessage());
        }
    }

    static RunReport.Config reportConfig(CommandLine cl, VmBuilder b) {
        String kernel = cl.hasOption("kernel") ? cl.getOptionValue("kernel") : null;
        return new RunReport.Config(kernel, kernel == null ? "demo" : b.format, b.memory, b.cpus,
                b.timeout == null ? null : b.timeout.toMillis(), b.debugExit.name().toLowerCase(Locale.ROOT));
    }

    /** Null if readable, else the one-line problem. */
    private static String checkReadable(Path p, String what) {
        if (!Files.exists(p)) return what + " file " + p + " does not exist";
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) return what + " file " + p + " is not a readable file";
        return null;
    }

    static VmBuilder configure(CommandLine cl) throws UsageError {
        VmBuilder b = Vm.builder();
        if (cl.hasOption("kernel")) b.kernel(Path.of(cl.getOptionValue("kernel")));
        String format = cl.getOptionValue("format", "auto");
        String f = format.toLowerCase(Locale.ROOT);
        if (!java.util.List.of("auto", "bzimage", "pvh", "elf", "multiboot", "multiboot1", "multiboot2", "bootsector", "raw")
                .contains(f)) {
            throw new UsageError("--format must be one of auto, bzimage, pvh, elf, multiboot, multiboot1, multiboot2, bootsector, raw (got '"
                    + format + "')");
        }
        String loadAddr = cl.getOptionValue("load-addr"), entry = cl.getOptionValue("entry"), mode = cl.getOptionValue("mode");
        if (f.equals("raw")) {
            if (!cl.hasOption("kernel")) throw new UsageError("--format raw needs --kernel");
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
            if (loadAddr != null || entry != null || mode != null) {
                throw new UsageError("--load-addr, --entry and --mode are for --format raw only");
            }
            b.format(f);
        }
        if (cl.hasOption("initrd")) b.initrd(Path.of(cl.getOptionValue("initrd")));
        vgaMirror(cl); // validated with the other options: a bad value is a usage error before anything runs
        for (String d : cl.getOptionValues("disk") == null ? new String[0] : cl.getOptionValues("disk")) {
            try {
                b.disk(io.minivmm.vmm.storage.DiskSpec.parse(d));
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage());
            }
        }
        if (cl.hasOption("allow-panic")) b.detectPanic(false);
        if (cl.hasOption("debugcon")) b.debugConsole(debugconStream(cl.getOptionValue("debugcon")));
        String console = cl.getOptionValue("console", "serial");
        if (!console.equals("serial") && !console.equals("virtio")) {
            throw new UsageError("--console must be serial or virtio (got '" + console + "')");
        }
        b.virtioConsole(console.equals("virtio"));
        b.rng(cl.hasOption("rng"));
        if (cl.hasOption("cmdline")) b.cmdline(cl.getOptionValue("cmdline"));
        String mem = cl.getOptionValue("mem", "256M");
        long bytes = parseSize("--mem", mem, 20); // a bare number is MiB, as QEMU's -m
        if (bytes < (1L << 20) || (bytes & 0xfff) != 0) {
            throw new UsageError("--mem must be at least 1M and a multiple of 4K (got '" + mem + "')");
        }
        String limit = io.minivmm.vmm.memory.RamLimits.check(bytes);
        if (limit != null) throw new UsageError("--mem " + mem + " is too large: " + limit);
        b.memory(bytes);
        String cpus = cl.getOptionValue("cpus", "1");
        int n;
        try {
            n = Integer.parseInt(cpus.trim());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > 254) throw new UsageError("--cpus must be a number from 1 to 254 (got '" + cpus + "')");
        b.cpus(n);
        if (cl.hasOption("cpu")) b.cpu(cl.getOptionValue("cpu"));
        if (cl.hasOption("timeout")) b.timeout(parseDuration("--timeout", cl.getOptionValue("timeout")));
        String de = cl.getOptionValue("debug-exit", "exact");
        b.debugExit(switch (de.toLowerCase(Locale.ROOT)) {
            case "exact" -> DebugExit.Mode.EXACT;
            case "qemu" -> DebugExit.Mode.QEMU;
            case "off" -> DebugExit.Mode.OFF;
            default -> throw new UsageError("--debug-exit must be exact, qemu or off (got '" + de + "')");
        });
        String acpi = cl.getOptionValue("acpi", "on").toLowerCase(Locale.ROOT);
        if (!acpi.equals("on") && !acpi.equals("off")) throw new UsageError("--acpi must be on or off (got '" + cl.getOptionValue("acpi") + "')");
        b.acpi(acpi.equals("on"));
        if (cl.hasOption("prefault") && cl.hasOption("no-prefault")) {
            throw new UsageError("--prefault and --no-prefault contradict each other");
        }
        b.prefault(cl.hasOption("prefault"));
        b.hugepages(cl.hasOption("hugepages"));
        if (cl.hasOption("mem-file")) {
            if (cl.hasOption("hugepages")) throw new UsageError("--hugepages is for anonymous RAM, not --mem-file");
            b.memoryFile(Path.of(cl.getOptionValue("mem-file")));
        }
        if (cl.hasOption("expect")) b.expect(regex("--expect", cl.getOptionValue("expect")));
        if (cl.hasOption("fail-on")) b.failOn(regex("--fail-on", cl.getOptionValue("fail-on")));
        boolean gdbWait = cl.hasOption("gdb-wait") || cl.hasOption("S");
        if (cl.hasOption("gdb") || cl.hasOption("s") || gdbWait) {
            String spec = cl.getOptionValue("gdb");
            if (spec != null && cl.hasOption("s")) throw new UsageError("-s and --gdb " + spec + " contradict each other");
            String[] hp = parseGdbAddress(spec == null ? "127.0.0.1:1234" : spec);
            boolean quiet = cl.hasOption("q");
            b.gdb(hp[0], Integer.parseInt(hp[1]), gdbWait, a -> {
                if (!quiet) {
                    System.err.println("minivmm: gdb: listening on " + a.getAddress().getHostAddress() + ":" + a.getPort()
                            + (gdbWait ? " (every vCPU waits for gdb to continue)" : ""));
                }
            });
        }
        configureSnapshots(cl, b);
        return b;
    }

    /** --snapshot-on/--snapshot-file/--snapshot-and-exit and --restore (docs/SNAPSHOT.md). */
    private static void configureSnapshots(CommandLine cl, VmBuilder b) throws UsageError {
        if (cl.hasOption("snapshot-on") != cl.hasOption("snapshot-file")) {
            throw new UsageError("--snapshot-on and --snapshot-file go together");
        }
        if (cl.hasOption("snapshot-and-exit") && !cl.hasOption("snapshot-on")) throw new UsageError("--snapshot-and-exit needs --snapshot-on");
        if (cl.hasOption("snapshot-on")) {
            Path file = Path.of(cl.getOptionValue("snapshot-file"));
            Path parent = file.toAbsolutePath().getParent();
            if (parent == null || !java.nio.file.Files.isDirectory(parent) || !java.nio.file.Files.isWritable(parent)) {
                throw new UsageError("--snapshot-file: cannot write into " + parent);
            }
            b.snapshotOn(regex("--snapshot-on", cl.getOptionValue("snapshot-on")), file, cl.hasOption("snapshot-and-exit"));
        }
        if (cl.hasOption("restore")) {
            for (String opt : new String[] {"kernel", "initrd", "cmdline", "format", "disk", "prefault", "hugepages"}) {
                if (cl.hasOption(opt)) throw new UsageError("--restore and --" + opt + " contradict each other: the snapshot is the machine");
            }
            // The machine options come from the snapshot; only those given here are checked against it.
            for (String opt : new String[] {"mem", "cpus", "cpu", "debug-exit"}) {
                if (!cl.hasOption(opt)) b.explicit.remove(opt.equals("mem") ? "memory" : opt);
            }
            b.restoreFrom(Path.of(cl.getOptionValue("restore")));
        }
    }

    /** {@code PORT}, {@code :PORT}, {@code HOST:PORT}, {@code [V6]:PORT}, QEMU's {@code tcp::PORT}: {host, port}. */
    static String[] parseGdbAddress(String spec) throws UsageError {
        String s = spec.trim();
        if (s.startsWith("tcp:")) s = s.substring(4);
        String host = "127.0.0.1", port = s;
        int colon = s.lastIndexOf(':');
        if (colon >= 0) {
            port = s.substring(colon + 1);
            String h = s.substring(0, colon);
            if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
            if (!h.isEmpty()) host = h;
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 0 || p > 65535) throw new UsageError("--gdb must be [HOST:]PORT with a port 0..65535 (got '" + spec + "')");
        return new String[] {host, Integer.toString(p)};
    }

    static Pattern regex(String opt, String s) throws UsageError {
        try {
            return Pattern.compile(s);
        } catch (PatternSyntaxException e) {
            throw new UsageError(opt + " is not a valid regular expression: " + e.getDescription());
        }
    }

    /**
     * {@code 256M}, {@code 2G}, {@code 64K}, {@code 1T}; binary units, optional trailing B/iB
     * ({@code 4096B} is bytes); a bare number is in units of {@code 1 << bareShift} bytes.
     * ASCII digits, case-insensitive units, blanks allowed before the unit. Parsed by hand, not
     * with a regular expression: compiling one is ~1 ms of every CLI start.
     */
    static long parseSize(String opt, String s, int bareShift) throws UsageError {
        String t = s.trim();
        int i = digits(t, 0);
        if (i == 0) throw new UsageError(opt + " must be a size like 256M or 2G (got '" + s + "')");
        int j = blanks(t, i);
        int shift = -1;
        if (j < t.length()) {
            switch (Character.toLowerCase(t.charAt(j))) {
                case 'k' -> shift = 10;
                case 'm' -> shift = 20;
                case 'g' -> shift = 30;
                case 't' -> shift = 40;
                default -> { }
            }
        }
        int k = shift >= 0 ? j + 1 : j;
        String suffix = t.substring(k).toLowerCase(Locale.ROOT);
        boolean bytes = suffix.equals("b") || suffix.equals("ib");
        if (!bytes && !suffix.isEmpty()) throw new UsageError(opt + " must be a size like 256M or 2G (got '" + s + "')");
        if (shift < 0) shift = bytes ? 0 : bareShift;
        long v;
        try {
            v = Long.parseLong(t.substring(0, i));
        } catch (NumberFormatException e) {
            throw new UsageError(opt + " " + s + " is too large");
        }
        if (v > (Long.MAX_VALUE >> shift)) throw new UsageError(opt + " " + s + " is too large");
        return v << shift;
    }

    /** {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1.5s}; a bare number is seconds. */
    static Duration parseDuration(String opt, String s) throws UsageError {
        String t = s.trim();
        int i = digits(t, 0);
        if (i > 0 && i < t.length() && t.charAt(i) == '.') {
            int f = digits(t, i + 1);
            i = f > i + 1 ? f : -1; // a point needs digits after it
        }
        String unit = i > 0 ? t.substring(blanks(t, i)) : "?";
        double factor = switch (unit) {
            case "ms" -> 1;
            case "", "s" -> 1e3;
            case "m" -> 60e3;
            case "h" -> 3600e3;
            default -> -1;
        };
        if (factor < 0) throw new UsageError(opt + " must be a duration like 500ms, 10s or 2m (got '" + s + "')");
        double ms = Double.parseDouble(t.substring(0, i)) * factor;
        if (ms < 1 || ms > 1e12) throw new UsageError(opt + " must be between 1ms and a few years (got '" + s + "')");
        return Duration.ofMillis((long) ms);
    }

    /** The index after the run of ASCII digits that starts at {@code from}. */
    private static int digits(String s, int from) {
        int i = from;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        return i;
    }

    /** The index after the run of blanks (what {@code \s} matches) that starts at {@code from}. */
    private static int blanks(String s, int from) {
        int i = from;
        while (i < s.length() && " \t\n\u000b\f\r".indexOf(s.charAt(i)) >= 0) i++;
        return i;
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

}
