package dev.flows.relay.api;

import com.google.protobuf.util.Timestamps;
import dev.flows.observer.wire.BatchWriter;
import dev.flows.observer.wire.DrainableBytes;
import dev.flows.proto.observer.GetFlowsResponse;
import java.io.InputStream;

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

    private final byte[] array;
    private final int offset;
    private final int length;
    private final Kind kind;
    private final long timeNanos;

    /**
     * The response is {@code length} bytes of {@code array} from {@code offset}: a collector's batch
     * is read into one array and its responses stay where they are in it, not copied out one by one.
     */
    RawResponse(byte[] array, int offset, int length, Kind kind, long timeNanos) {
        this.array = array;
        this.offset = offset;
        this.length = length;
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
        byte[] bytes = r.toByteArray();
        return new RawResponse(bytes, 0, bytes.length, kind, Timestamps.toNanos(r.hasFlow() ? r.getFlow().getTime() : r.getTime()));
    }

    /** The serialized GetFlowsResponse, as a stream gRPC's framer drains straight into its buffer. */
    InputStream stream() {
        return new DrainableBytes(array, offset, length);
    }

    /** Adds the bytes to a batch being sent. */
    void writeTo(BatchWriter batch) {
        batch.add(array, offset, length);
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
