package io.minivmm.vmm.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code c-reference [EXITS] [MEM_MIB]} (native-stubs/src/bench/c/c_reference.c) and parses
 * its one line. The path comes from {@code -Dminivmm.bench.cref}, default
 * {@code native-stubs/target/bin/c-reference} (built by {@code mvn package}).
 */
final class CReference {
    record Result(long createToFirstExitNs, double roundtripNs, String line) {}

    private static final Pattern CREATE = Pattern.compile("create_to_first_exit_ns=(\\d+)");
    private static final Pattern ROUNDTRIP = Pattern.compile("roundtrip_ns=([0-9.]+)");

    static String path() {
        return System.getProperty("minivmm.bench.cref", "native-stubs/target/bin/c-reference");
    }

    static Result run(long exits, long memMib) {
        try {
            Process p = new ProcessBuilder(path(), Long.toString(exits), Long.toString(memMib))
                    .redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            int rc = p.waitFor();
            Matcher c = CREATE.matcher(out);
            Matcher r = ROUNDTRIP.matcher(out);
            if (rc != 0 || !c.find() || !r.find()) throw new IllegalStateException("c-reference failed (" + rc + "): " + out);
            return new Result(Long.parseLong(c.group(1)), Double.parseDouble(r.group(1)), out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + path() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
