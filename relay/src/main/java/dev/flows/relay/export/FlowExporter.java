package dev.flows.relay.export;

import dev.flows.proto.observer.GetFlowsResponse;

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

    /** Flushes what it holds and releases its resources. */
    @Override
    void close();
}
