package dev.flows.relay.api;

import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * The relay's two clocks: wall time in ns since the epoch (flow times, since/until) and a
 * monotonic clock in ns (the merge window, uptime). A seam so tests can drive the window.
 */
public record RelayClock(LongSupplier wall, LongSupplier mono) {
    /** The machine's clocks. */
    public static RelayClock system() {
        return new RelayClock(() -> {
            Instant now = Instant.now();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }, System::nanoTime);
    }

    public long wallNanos() {
        return wall.getAsLong();
    }

    public long monoNanos() {
        return mono.getAsLong();
    }
}
