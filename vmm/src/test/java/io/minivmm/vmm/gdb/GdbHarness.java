package io.minivmm.vmm.gdb;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.Vm;
import io.minivmm.vmm.VmBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a guest with the gdb stub on a free port (port 0, read back) and drives the real
 * {@code gdb} in batch mode against it. Every wait is bounded; whatever happens, the gdb process
 * is killed and the run stopped before the test returns.
 */
final class GdbHarness implements AutoCloseable {
    record Result(String gdbOutput, int gdbExit, RunResult run) {}

    private final Vm vm;
    private final CompletableFuture<InetSocketAddress> address = new CompletableFuture<>();
    private final CompletableFuture<RunResult> run = new CompletableFuture<>();
    private final Thread runner;
    private Process gdb;

    static boolean gdbInstalled() {
        try {
            Process p = new ProcessBuilder("gdb", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static Path guestFile(Path dir, String resource) throws IOException {
        try (InputStream in = Vm.class.getResourceAsStream("/guests/" + resource)) {
            assertNotNull(in, "guest /guests/" + resource + " is not on the classpath (run mvn package first)");
            Path p = dir.resolve(resource);
            Files.write(p, in.readAllBytes());
            return p;
        }
    }

    GdbHarness(VmBuilder b, boolean waitForGdb) {
        vm = b.gdb("127.0.0.1", 0, waitForGdb, address::complete).build();
        runner = new Thread(() -> {
            try {
                run.complete(vm.run());
            } catch (Throwable t) {
                run.completeExceptionally(t);
                address.completeExceptionally(t);
            }
        }, "test-vm");
        runner.start();
    }

    int port() throws Exception { return address.get(30, TimeUnit.SECONDS).getPort(); }

    /** Starts gdb on {@code file} with "target remote" and the commands, without waiting. */
    Process startGdb(Path file, List<String> pre, List<String> commands) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gdb", "-batch", "-nx"));
        for (String c : pre) cmd.addAll(List.of("-ex", c));
        if (file != null) cmd.addAll(List.of("-ex", "file " + file));
        cmd.addAll(List.of("-ex", "set remotetimeout 30", "-ex", "target remote 127.0.0.1:" + port()));
        for (String c : commands) cmd.addAll(List.of("-ex", c));
        gdb = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        return gdb;
    }

    /** Runs gdb to its end (bounded) and waits for the run to end (bounded). */
    Result gdb(Path file, List<String> pre, List<String> commands, Duration limit) throws Exception {
        Process p = startGdb(file, pre, commands);
        return finish(p, limit);
    }

    Result finish(Process p, Duration limit) throws Exception {
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(output unreadable: " + e + ")";
            }
        });
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            fail("gdb did not finish within " + limit + ":\n" + out.get(5, TimeUnit.SECONDS));
        }
        String text = out.get(10, TimeUnit.SECONDS);
        RunResult r;
        try {
            r = run.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            vm.stop();
            throw new AssertionError("the run did not end after gdb finished; gdb said:\n" + text);
        } catch (ExecutionException e) {
            throw new AssertionError("the run failed; gdb said:\n" + text, e.getCause());
        }
        return new Result(text, p.exitValue(), r);
    }

    /** Sends SIGINT to the gdb process (what Ctrl-C in its terminal does). */
    void interruptGdb() throws Exception {
        Process k = new ProcessBuilder("kill", "-INT", Long.toString(gdb.pid())).start();
        k.waitFor(10, TimeUnit.SECONDS);
    }

    RunResult awaitRun(Duration limit) throws Exception { return run.get(limit.toMillis(), TimeUnit.MILLISECONDS); }

    @Override
    public void close() throws Exception {
        if (gdb != null && gdb.isAlive()) gdb.destroyForcibly();
        vm.stop();
        runner.join(30_000);
    }
}
