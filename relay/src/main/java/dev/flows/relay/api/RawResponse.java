package dev.flows.relay.api;

import com.google.protobuf.util.Timestamps;
import dev.flows.proto.observer.GetFlowsResponse;

/**
 * One GetFlowsResponse as it travels through the relay: the collector's serialized bytes, passed to
 * the client unchanged, with the two things the merge needs read from them by {@link ResponseScan}
 * (which of the oneof it holds, and its time). The relay never parses or re-encodes a collector's
 * flow: that was most of its CPU per flow.
 */
final class RawResponse {
    /** Which of GetFlowsResponse's response_types the bytes hold. */
    enum Kind {
        FLOW, NODE_STATUS, LOST_EVENTS,
        /** None of the oneof set (a response from a newer collector with a type we do not know). */
        OTHER,
        /** Not a GetFlowsResponse (truncated, or a field that overruns): counted as a decode error, never sent. */
        MALFORMED
    }

    private final byte[] bytes;
    private final Kind kind;
    private final long timeNanos;

    RawResponse(byte[] bytes, Kind kind, long timeNanos) {
        this.bytes = bytes;
        this.kind = kind;
        this.timeNanos = timeNanos;
    }

    /** A response the relay makes itself (node status, its own loss notice). */
    static RawResponse of(GetFlowsResponse r) {
        Kind kind = switch (r.getResponseTypesCase()) {
            case FLOW -> Kind.FLOW;
            case NODE_STATUS -> Kind.NODE_STATUS;
            case LOST_EVENTS -> Kind.LOST_EVENTS;
            case RESPONSETYPES_NOT_SET -> Kind.OTHER;
        };
        return new RawResponse(r.toByteArray(), kind, Timestamps.toNanos(r.hasFlow() ? r.getFlow().getTime() : r.getTime()));
    }

    /** The serialized GetFlowsResponse; not to be modified. */
    byte[] bytes() {
        return bytes;
    }

    Kind kind() {
        return kind;
    }

    boolean isFlow() {
        return kind == Kind.FLOW;
    }

    /** What the merge orders by: a flow's own time; anything else by the time of the response. */
    long timeNanos() {
        return timeNanos;
    }
}
