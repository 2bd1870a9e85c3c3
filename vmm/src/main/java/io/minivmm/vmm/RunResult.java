package io.minivmm.vmm;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The result of {@link Vm#run()}.
 *
 * @param outcome       how the run ended
 * @param exitStatus    the process exit status the CLI would use
 * @param serial        what the guest wrote to COM1 (the last {@link VmBuilder#serialCaptureLimit} bytes)
 * @param wallTime      from {@link Vm#run()} to the end
 * @param firstSerialByte from {@code run()} to the first byte on COM1, or null if none
 * @param exitCounts    VM exits by kind ("io", "mmio", ...)
 * @param portCounts    I/O exits by port (hex string keys, e.g. "0x3f8")
 * @param crashReport   the crash report for TRIPLE_FAULT / INTERNAL_ERROR, else empty
 * @param message       a one-line description of how the run ended
 * @param guestRamTouched bytes of guest RAM backed by host memory at the end (mincore)
 * @param serialBytes   bytes the guest wrote to COM1 in all (not only those kept in {@code serial})
 * @param debugconBytes bytes the guest wrote to the debug-console ports 0xE9/0x402
 * @param stallReport   for TIMEOUT: where each vCPU was and what it was polling, else empty
 * @param vgaText       the VGA text screen (page 0 at 0xB8000) at the end, as lines; empty when blank
 */
public record RunResult(Outcome outcome, int exitStatus, byte[] serial, Duration wallTime, Duration firstSerialByte,
                        Map<String, Long> exitCounts, Map<String, Long> portCounts, String crashReport,
                        String message, long guestRamTouched,
                        long serialBytes, long debugconBytes, String stallReport, String vgaText) {

    /** The serial output decoded as ISO-8859-1 (one char per byte, nothing lost). */
    public String serialText() { return new String(serial, StandardCharsets.ISO_8859_1); }

    /** Total VM exits. */
    public long totalExits() { return exitCounts.values().stream().mapToLong(Long::longValue).sum(); }
}
