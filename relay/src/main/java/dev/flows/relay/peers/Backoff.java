package dev.flows.relay.peers;

import java.time.Duration;

/**
 * Delays between attempts to reach a peer that is down: doubling from the initial delay up to the
 * maximum, back to the initial delay after a success. Each peer owns one.
 */
public final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private long nextNanos;

    public Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.nextNanos = initialNanos;
    }

    /** The delay before the next attempt; each call doubles the one after, up to the maximum. */
    public synchronized Duration next() {
        long d = nextNanos;
        nextNanos = Math.min(maxNanos, d > maxNanos / 2 ? maxNanos : d * 2);
        return Duration.ofNanos(d);
    }

    /** After a success: the next failure waits the initial delay again. */
    public synchronized void reset() {
        nextNanos = initialNanos;
    }
}
