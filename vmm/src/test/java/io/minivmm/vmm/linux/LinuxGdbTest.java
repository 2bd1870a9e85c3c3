package io.minivmm.vmm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.minivmm.kvm.junit.RequiresKvm;
import io.minivmm.vmm.Outcome;
import io.minivmm.vmm.RunResult;
import io.minivmm.vmm.Vm;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real Linux under the real gdb: held before its first instruction (--gdb-wait), a hardware
 * breakpoint on start_kernel (a higher-half address not yet mapped when it is set: the PVH entry
 * runs with paging off) stops there after the kernel switched to long mode, and continue lets it
 * boot to "Run /init as init process" (--expect).
 */
@RequiresKvm
@Timeout(300)
class LinuxGdbTest {
    @Test
    void hbreakStartKernelThenContinueToInit() throws Exception {
        Path images = LinuxImages.sharedImages();
        assumeTrue(images != null, "real images not found");
        assumeTrue(io.minivmm.vmm.gdb.GdbTestSupport.gdbInstalled(), "gdb is not installed");
        Path vmlinux = images.resolve("linux-tiny.vmlinux");
        CompletableFuture<InetSocketAddress> addr = new CompletableFuture<>();
        Vm vm = Vm.builder().kernel(vmlinux).initrd(images.resolve("initramfs-tiny.cpio"))
                .cmdline(LinuxImages.FAST_CMDLINE).memory(64 << 20).timeout(Duration.ofSeconds(240))
                .expect(Pattern.compile("Run /init as init process"))
                .gdb("127.0.0.1", 0, true, addr::complete).build();
        CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(() -> {
            try {
                return vm.run();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Process gdb = null;
        try {
            int port = addr.get(60, TimeUnit.SECONDS).getPort();
            gdb = new ProcessBuilder(List.of("gdb", "-batch", "-nx", "-ex", "file " + vmlinux, "-ex", "set remotetimeout 30",
                    "-ex", "target remote 127.0.0.1:" + port, "-ex", "hbreak start_kernel", "-ex", "continue",
                    "-ex", "info registers rip", "-ex", "bt 2", "-ex", "delete", "-ex", "continue"))
                    .redirectErrorStream(true).start();
            Process g = gdb;
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(g.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            });
            assertTrue(gdb.waitFor(250, TimeUnit.SECONDS), "gdb did not finish");
            String text = out.get(10, TimeUnit.SECONDS);
            RunResult r = run.get(30, TimeUnit.SECONDS);
            assertTrue(text.contains("Breakpoint 1, 0x"), text);
            assertTrue(Pattern.compile("^rip\\s+0xffffffff[0-9a-f]+\\s+0xffffffff[0-9a-f]+ <start_kernel>", Pattern.MULTILINE)
                    .matcher(text).find(), text);
            assertTrue(text.contains("in secondary_startup_64"), text);
            assertEquals(Outcome.EXPECT_MATCHED, r.outcome(), r.message() + "\n" + text);
            assertTrue(r.serialText().contains("Run /init as init process"));
        } finally {
            if (gdb != null && gdb.isAlive()) gdb.destroyForcibly();
            vm.stop();
        }
    }
}
