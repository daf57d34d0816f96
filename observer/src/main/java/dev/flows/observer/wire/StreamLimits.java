package dev.flows.observer.wire;

/**
 * The sizes every GetFlows stream (a collector's, the relay's) is sent with.
 */
public final class StreamLimits {
    private StreamLimits() {}

    /**
     * Bytes gRPC may hold queued for a stream before isReady turns false. Its default (32 KiB) is
     * ~90 flows: the stream thread parked and was woken every 90 flows. Still bounded: flow control
     * waits past this; with a collector's 64 streams all stalled, at most 32 MiB of direct buffers
     * beyond the HTTP/2 windows.
     */
    public static final int ON_READY_THRESHOLD_BYTES = 512 * 1024;

    /** A FlowBatches message is sent once its responses reach this size: a few hundred flows. */
    public static final int BATCH_BYTES = 64 * 1024;

    /** A writer for one batch, with room for the response that takes it past {@link #BATCH_BYTES}. */
    public static BatchWriter batchWriter() {
        return new BatchWriter(BATCH_BYTES + BATCH_BYTES / 4);
    }
}
