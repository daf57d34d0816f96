package dev.flows.collector.decode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The offset between the wall clock and the kernel's boot clock (bpf_ktime_get_boot_ns), which
 * the decoder adds to every event stamp.
 */
public final class BootClock {
    private BootClock() {}

    /**
     * Wall time minus boot time, in ns, measured from /proc/uptime (which counts boot time,
     * suspend included, in 10 ms steps: precise enough to order and read flows).
     *
     * @throws IOException when /proc/uptime cannot be read
     */
    public static long wallMinusBootNanos() throws IOException {
        String first = Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0];
        long bootNs = Math.round(Double.parseDouble(first) * 1e9);
        java.time.Instant now = java.time.Instant.now();
        long wallNs = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        return wallNs - bootNs;
    }
}
