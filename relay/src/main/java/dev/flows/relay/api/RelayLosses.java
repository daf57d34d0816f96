package dev.flows.relay.api;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Flows the relay itself dropped: a client too slow for the live flows filled its bounded queue.
 * Each client is told its own share in-band (lost_events, OBSERVER_EVENTS_QUEUE); the total is
 * added to ServerStatus. Raise --client-queue or read faster. A collector's response whose bytes
 * are not a GetFlowsResponse is dropped and counted as a decode error (ServerStatus decode_errors).
 * What the exporters lost is ServerStatus flows_lost.exporters; the metrics say which exporter and why.
 */
public final class RelayLosses {
    private final AtomicLong clientQueue = new AtomicLong();
    private final AtomicLong decodeErrors = new AtomicLong();
    private final LongSupplier exporters;

    /** A relay without exporters. */
    public RelayLosses() {
        this(null);
    }

    /** @param exporters what the relay's exporters lost so far; null when it has none */
    public RelayLosses(LongSupplier exporters) {
        this.exporters = exporters;
    }

    public void addClientQueueDrops(long n) {
        clientQueue.addAndGet(n);
    }

    public long clientQueueDrops() {
        return clientQueue.get();
    }

    /** Whether the relay has exporters, and so {@link #exporterLosses()} to report. */
    public boolean hasExporters() {
        return exporters != null;
    }

    public long exporterLosses() {
        return exporters == null ? 0 : exporters.getAsLong();
    }

    public void addDecodeErrors(long n) {
        decodeErrors.addAndGet(n);
    }

    public long decodeErrors() {
        return decodeErrors.get();
    }
}
