package dev.flows.relay.export.otlp;

import io.opentelemetry.sdk.trace.IdGenerator;

/**
 * The SDK's id seam, so the first span of a connection carries the connection's trace id (later
 * spans are its children and inherit it). The exporter sets {@link #next} just before it starts
 * that span; both happen on the exporter's one thread. Span ids are random.
 */
final class ConnectionIds implements IdGenerator {
    private final IdGenerator random = IdGenerator.random();
    private String next;

    /** The trace id the next parentless span gets. */
    void next(String traceId) {
        this.next = traceId;
    }

    @Override
    public String generateTraceId() {
        String id = next;
        next = null;
        // Only the exporter starts spans, always after next(); random is a guard, not a path.
        return id != null ? id : random.generateTraceId();
    }

    @Override
    public String generateSpanId() {
        return random.generateSpanId();
    }
}
