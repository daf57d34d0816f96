package dev.flows.collector.pipeline;

import dev.flows.collector.bpf.RecordHandler;
import dev.flows.collector.buffer.FlowBuffer;
import dev.flows.collector.decode.DecodeError;
import dev.flows.collector.decode.DecodeErrors;
import dev.flows.collector.decode.DecodedEvent;
import dev.flows.collector.decode.Decoder;
import dev.flows.collector.enrich.Enricher;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.LostEvent;
import dev.flows.proto.flow.LostEventSource;
import java.nio.ByteBuffer;
import java.util.function.LongSupplier;

/**
 * The hot path of the processing thread: decode one raw record, enrich it, append it to the
 * buffer. Records that do not decode are counted per kind and skipped.
 *
 * <p>{@link #reportLosses} turns growth of the upstream loss counters (kernel ring, raw queue)
 * into LostEvent entries in the buffer, so clients learn about them in-band.
 *
 * <p>One thread only; benchmarks call {@link #process} directly.
 */
public final class FlowProcessor implements RecordHandler {
    private final Decoder decoder;
    private final Enricher enricher;
    private final FlowBuffer buffer;
    private final DecodeErrors errors;
    private final DecodedEvent scratch = new DecodedEvent();
    private final LongSupplier kernelLost;
    private final LongSupplier queueLost;
    private final LongSupplier wallNanos;
    private long kernelReported;
    private long queueReported;

    /**
     * @param kernelLost monotonic count of events the kernel ring dropped (EventSource::kernelLost)
     * @param queueLost monotonic count of records the raw queue refused (RawEventQueue::dropped)
     * @param wallNanos wall clock in ns, to stamp loss notices
     */
    public FlowProcessor(Decoder decoder, Enricher enricher, FlowBuffer buffer, DecodeErrors errors,
            LongSupplier kernelLost, LongSupplier queueLost, LongSupplier wallNanos) {
        this.decoder = decoder;
        this.enricher = enricher;
        this.buffer = buffer;
        this.errors = errors;
        this.kernelLost = kernelLost;
        this.queueLost = queueLost;
        this.wallNanos = wallNanos;
    }

    /** Decodes, enriches and appends one record; returns false when it did not decode. */
    public boolean process(ByteBuffer buf, int off, int len) {
        DecodeError err = decoder.decode(buf, off, len, scratch);
        if (err != null) {
            errors.count(err);
            return false;
        }
        enricher.enrich(scratch);
        buffer.append(scratch.flow().build());
        return true;
    }

    @Override
    public void onRecord(ByteBuffer buf, int offset, int length) {
        process(buf, offset, length);
    }

    /** Appends LostEvent notices for losses upstream since the last call. */
    public void reportLosses() {
        long k = kernelLost.getAsLong();
        if (k > kernelReported) {
            notice(LostEventSource.PERF_EVENT_RING_BUFFER, k - kernelReported);
            kernelReported = k;
        }
        long q = queueLost.getAsLong();
        if (q > queueReported) {
            notice(LostEventSource.OBSERVER_EVENTS_QUEUE, q - queueReported);
            queueReported = q;
        }
    }

    private void notice(LostEventSource source, long n) {
        buffer.appendLost(LostEvent.newBuilder().setSource(source).setNumEventsLost(n).build(), wallNanos.getAsLong());
    }

    public DecodeErrors errors() {
        return errors;
    }
}
