package dev.flows.relay.api;

import com.google.protobuf.util.Timestamps;
import dev.flows.proto.flow.LostEvent;
import dev.flows.proto.flow.LostEventSource;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.relay.NodeStatusEvent;
import dev.flows.proto.relay.NodeState;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What the relay itself tells one client in-band, ahead of the merged flows: node state changes
 * (NODE_CONNECTED, NODE_UNAVAILABLE, NODE_ERROR) and how many live flows it dropped for this
 * client (one OBSERVER_EVENTS_QUEUE loss notice for all dropped since the last send). Not
 * thread-safe: the call's lock guards it.
 */
final class NodeNotices {
    private final LongSupplier wallNanos;
    private final Deque<RawResponse> pending = new ArrayDeque<>();
    private long dropped;

    NodeNotices(LongSupplier wallNanos) {
        this.wallNanos = wallNanos;
    }

    void node(NodeState state, List<String> names, String message) {
        pending.add(RawResponse.of(GetFlowsResponse.newBuilder()
                .setNodeStatus(NodeStatusEvent.newBuilder().setStateChange(state).addAllNodeNames(names).setMessage(message))
                .setTime(Timestamps.fromNanos(wallNanos.getAsLong())).build()));
    }

    /** A live flow for this client did not fit its queue. */
    void droppedFlow() {
        dropped++;
    }

    /** Moves every pending notice into {@code batch}, the loss notice last. */
    void drainTo(List<RawResponse> batch) {
        batch.addAll(pending);
        pending.clear();
        if (dropped > 0) {
            batch.add(RawResponse.of(GetFlowsResponse.newBuilder()
                    .setLostEvents(LostEvent.newBuilder().setSource(LostEventSource.OBSERVER_EVENTS_QUEUE).setNumEventsLost(dropped))
                    .setTime(Timestamps.fromNanos(wallNanos.getAsLong())).build()));
            dropped = 0;
        }
    }
}
