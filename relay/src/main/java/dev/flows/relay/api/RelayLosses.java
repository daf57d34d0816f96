package dev.flows.relay.api;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Flows the relay itself dropped: a client too slow for the live flows filled its bounded queue.
 * Each client is told its own share in-band (lost_events, OBSERVER_EVENTS_QUEUE); the total is
 * added to ServerStatus. Raise --client-queue or read faster. A collector's response whose bytes
 * are not a GetFlowsResponse is dropped and counted as a decode error (ServerStatus decode_errors).
 */
public final class RelayLosses {
    private final AtomicLong clientQueue = new AtomicLong();
    private final AtomicLong decodeErrors = new AtomicLong();

    public void addClientQueueDrops(long n) {
        clientQueue.addAndGet(n);
    }

    public long clientQueueDrops() {
        return clientQueue.get();
    }

    public void addDecodeErrors(long n) {
        decodeErrors.addAndGet(n);
    }

    public long decodeErrors() {
        return decodeErrors.get();
    }
}
