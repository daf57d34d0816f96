package dev.flows.relay.api;

import dev.flows.relay.peers.Backoff;
import dev.flows.relay.peers.Peer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One client's retries of collectors' live streams that failed while the pool still calls the
 * collector connected (it restarted within one health interval, or keeps failing its stream while
 * passing its health check). Each collector backs off on its own: short at first (a restart takes
 * a second or two), and bounded so that one that keeps failing is not hammered. Not thread-safe:
 * the call's lock guards it.
 */
final class LiveRetries {
    private static final Duration INITIAL = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofSeconds(5);

    /** A failed live stream to open again at {@code atNanos} (monotonic). */
    private record Retry(Peer peer, long atNanos) {}

    private final Map<String, Retry> due = new HashMap<>();
    private final Map<String, Backoff> backoffs = new HashMap<>();

    /** The peer's live stream failed: open it again after its next backoff. */
    void failed(Peer peer, long nowNanos) {
        Backoff b = backoffs.computeIfAbsent(peer.address(), a -> new Backoff(INITIAL, MAX));
        due.put(peer.address(), new Retry(peer, nowNanos + b.next().toNanos()));
    }

    /** A stream to the peer is open (again): no retry is pending. Its backoff stays until it delivers. */
    void opened(String address) {
        due.remove(address);
    }

    /** The peer delivers again, or the pool announced it back: the next failure starts from the shortest wait. */
    void recovered(String address) {
        backoffs.remove(address);
    }

    /** The pool says the peer is down or gone: it announces it when it is back, and our retries would only fail. */
    void forget(String address) {
        due.remove(address);
        backoffs.remove(address);
    }

    /**
     * Takes the retries whose time has come into {@code out}; returns when the earliest of those
     * left is due, or Long.MAX_VALUE.
     */
    long takeDue(long nowNanos, List<Peer> out) {
        long next = Long.MAX_VALUE;
        for (var it = due.values().iterator(); it.hasNext(); ) {
            Retry r = it.next();
            if (r.atNanos() > nowNanos) {
                next = Math.min(next, r.atNanos());
                continue;
            }
            it.remove();
            out.add(r.peer());
        }
        return next;
    }
}
