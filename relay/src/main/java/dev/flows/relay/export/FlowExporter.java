package dev.flows.relay.export;

import dev.flows.proto.observer.GetFlowsResponse;
import java.util.Map;

/**
 * One audience of the relay's merged stream (metrics, traces, a Kafka topic). The hub calls it on
 * the exporter's own thread, in stream order, so an exporter may block on its sink without
 * slowing the others or the Observer API: what it cannot take in time is dropped and counted by
 * the hub.
 */
public interface FlowExporter extends AutoCloseable {
    /** Short name for logs, metrics and status, e.g. "kafka". */
    String name();

    /** Takes one response of the merged stream: a flow, a lost_events notice or a node status. */
    void export(GetFlowsResponse response) throws Exception;

    /**
     * What the exporter's sink did with what it took, for metrics and status: units the sink
     * confirmed (e.g. Kafka records acknowledged by the brokers) and units lost after export
     * returned (e.g. Kafka's buffer full), by reason, each counted once. Exporters whose sink
     * confirms and loses nothing on its own keep the default.
     */
    default Sink sink() {
        return Sink.NONE;
    }

    /** See {@link #sink()}. */
    record Sink(long delivered, Map<String, Long> lost) {
        public static final Sink NONE = new Sink(0, Map.of());

        public long lostTotal() {
            return lost.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Flushes what it holds and releases its resources. */
    @Override
    void close();
}
