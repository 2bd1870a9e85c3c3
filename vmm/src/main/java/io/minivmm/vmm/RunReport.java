package io.minivmm.vmm;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON run report of {@code --report FILE} (schema in docs/CONSOLE.md). Every key is always
 * present; values that do not apply are {@code null}.
 * <pre>{@code
 * RunReport.Target t = RunReport.open(Path.of("report.json")); // fails before boot if unwritable
 * t.write(RunReport.of(result, config, null, result.exitStatus(), result.message()).toJson());
 * }</pre>
 */
public final class RunReport {
    /** Bumped when a key changes meaning or disappears (new keys do not bump it). */
    public static final int SCHEMA = 1;

    /** Outcomes of runs that never started a guest (in addition to {@link Outcome}'s names). */
    public static final String USAGE_ERROR = "USAGE_ERROR", BAD_IMAGE = "BAD_IMAGE", NO_INPUT = "NO_INPUT",
            KVM_UNAVAILABLE = "KVM_UNAVAILABLE";

    /** What the run was asked to do. */
    public record Config(String kernel, String format, long memBytes, int cpus, Long timeoutMs, String debugExit) {}

    private final JsonObject json = new JsonObject();

    private RunReport() {}

    /** The report of a run that reached the guest. {@code signal} is "TERM"/"INT"/"HUP" or null. */
    public static RunReport of(RunResult r, Config config, String signal, int exitStatus, String message) {
        RunReport rep = new RunReport();
        JsonObject j = rep.json;
        j.addProperty("schema", SCHEMA);
        j.addProperty("outcome", r.outcome().name());
        j.addProperty("exitStatus", exitStatus);
        j.addProperty("message", message);
        j.add("signal", signal == null ? JsonNull.INSTANCE : new JsonPrimitive("SIG" + signal));
        j.add("firstSerialByteMs", millis(r.firstSerialByte()));
        j.add("firstSerialByteNs", nanos(r.firstSerialByte()));
        j.add("wallTimeMs", millis(r.wallTime()));
        j.add("wallTimeNs", nanos(r.wallTime()));
        j.addProperty("serialBytes", r.serialBytes());
        j.addProperty("totalExits", r.totalExits());
        j.add("exitsByKind", counts(r.exitCounts()));
        j.add("exitsByPort", counts(r.portCounts()));
        j.addProperty("guestRamTouchedBytes", r.guestRamTouched());
        j.add("crashReport", r.crashReport() == null || r.crashReport().isEmpty() ? JsonNull.INSTANCE
                : new JsonPrimitive(r.crashReport()));
        j.addProperty("vgaText", r.vgaText());
        j.add("config", config(config));
        j.addProperty("version", version());
        return rep;
    }

    /** The report of a run that ended before the guest ran (bad image, no KVM, ...). */
    public static RunReport failure(String outcome, int exitStatus, String message, Config config) {
        RunReport rep = new RunReport();
        JsonObject j = rep.json;
        j.addProperty("schema", SCHEMA);
        j.addProperty("outcome", outcome);
        j.addProperty("exitStatus", exitStatus);
        j.addProperty("message", message);
        j.add("signal", JsonNull.INSTANCE);
        for (String k : new String[] {"firstSerialByteMs", "firstSerialByteNs", "wallTimeMs", "wallTimeNs"}) {
            j.add(k, JsonNull.INSTANCE);
        }
        j.addProperty("serialBytes", 0);
        j.addProperty("totalExits", 0);
        j.add("exitsByKind", new JsonObject());
        j.add("exitsByPort", new JsonObject());
        j.add("guestRamTouchedBytes", JsonNull.INSTANCE);
        j.add("crashReport", JsonNull.INSTANCE);
        j.addProperty("vgaText", "");
        j.add("config", config(config));
        j.addProperty("version", version());
        return rep;
    }

    public String toJson() {
        return new GsonBuilder().serializeNulls().setPrettyPrinting().disableHtmlEscaping().create().toJson(json) + "\n";
    }

    private static JsonElement millis(Duration d) {
        return d == null ? JsonNull.INSTANCE : new JsonPrimitive(Math.round(d.toNanos() / 1e3) / 1e3);
    }

    private static JsonElement nanos(Duration d) {
        return d == null ? JsonNull.INSTANCE : new JsonPrimitive(d.toNanos());
    }

    private static JsonObject counts(Map<String, Long> m) {
        JsonObject o = new JsonObject();
        Map<String, Long> sorted = new TreeMap<>(m); // stable order for diffs
        sorted.forEach(o::addProperty);
        return o;
    }

    private static JsonElement config(Config c) {
        if (c == null) return JsonNull.INSTANCE; // the command line did not parse
        JsonObject o = new JsonObject();
        o.add("kernel", c.kernel() == null ? JsonNull.INSTANCE : new JsonPrimitive(c.kernel()));
        o.addProperty("format", c.format());
        o.addProperty("memBytes", c.memBytes());
        o.addProperty("cpus", c.cpus());
        o.add("timeoutMs", c.timeoutMs() == null ? JsonNull.INSTANCE : new JsonPrimitive(c.timeoutMs()));
        o.addProperty("debugExit", c.debugExit());
        return o;
    }

    private static String version() {
        String v = RunReport.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    // ------------------------------------------------------------------ the file

    /** Where the report goes: opened (and truncated) up front, so an unwritable path fails before boot. */
    public static final class Target implements AutoCloseable {
        private final Path path;
        private final FileChannel channel;

        private Target(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }

        public Path path() { return path; }

        /** Replaces the file's content with {@code text}. */
        public synchronized void write(String text) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            boolean regular = Files.isRegularFile(path); // not /dev/stderr, a FIFO, ...
            if (regular) {
                channel.truncate(0);
                channel.position(0);
            }
            while (b.hasRemaining()) channel.write(b);
            if (regular) channel.force(false);
        }

        @Override
        public synchronized void close() throws IOException { channel.close(); }
    }

    /**
     * Opens {@code path} for writing (created if missing, emptied if present: a run killed with
     * SIGKILL leaves an empty file, never a stale report).
     *
     * @throws IOException with a one-line, user-facing message
     */
    public static Target open(Path path) throws IOException {
        if (Files.isDirectory(path)) throw new IOException("cannot write the report to " + path + ": it is a directory");
        try {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            return new Target(path, ch);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot write the report to " + path + ": no such directory");
        } catch (AccessDeniedException e) {
            throw new IOException("cannot write the report to " + path + ": permission denied");
        } catch (FileSystemException e) {
            String reason = e.getReason();
            throw new IOException("cannot write the report to " + path + (reason == null ? "" : ": " + reason));
        } catch (IOException | UnsupportedOperationException e) {
            throw new IOException("cannot write the report to " + path + ": " + e.getMessage());
        }
    }
}
