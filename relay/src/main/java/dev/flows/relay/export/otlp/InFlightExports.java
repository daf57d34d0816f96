package dev.flows.relay.export.otlp;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets the batch span processor's one worker keep several export requests in flight. The
 * processor waits for each export's result before it sends the next batch, so one request at a
 * time caps throughput at a batch per round trip, and on a busy host a round trip (marshal, the
 * gRPC threads, the receiver, the answer) takes tens of milliseconds of scheduling alone. This
 * hands the batch to the OTLP exporter (which marshals it at once and sends asynchronously, as
 * OTLP allows concurrent requests) and answers the processor at once, unless {@code limit}
 * requests are already out: then it waits for one to finish, so spans pile up in the processor's
 * bounded queue and its drops are counted as before. Outcomes are counted by the wrapped
 * exporter when the receiver answers; {@link #shutdown} waits for every request still out.
 */
final class InFlightExports implements SpanExporter {
    private final SpanExporter delegate;
    private final Semaphore slots;
    private final AtomicLong spans = new AtomicLong();
    private final Set<CompletableResultCode> pending = ConcurrentHashMap.newKeySet();

    InFlightExports(SpanExporter delegate, int limit) {
        this.delegate = delegate;
        this.slots = new Semaphore(limit);
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> batch) {
        // bounded: every request out ends within --otlp-timeout, the OTLP exporter's own deadline
        slots.acquireUninterruptibly();
        // the processor reuses its batch list once we return
        List<SpanData> copy = List.copyOf(batch);
        spans.addAndGet(copy.size());
        CompletableResultCode result = delegate.export(copy);
        pending.add(result);
        result.whenComplete(() -> {
            pending.remove(result);
            spans.addAndGet(-copy.size());
            slots.release();
        });
        return CompletableResultCode.ofSuccess();
    }

    /** Spans sent and not yet answered. */
    long spans() {
        return spans.get();
    }

    /** Completes when every request out has been answered. */
    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofAll(new ArrayList<>(pending));
    }

    /** Called by the processor after its last batch: waits for the answers, then stops the exporter. */
    @Override
    public CompletableResultCode shutdown() {
        CompletableResultCode done = new CompletableResultCode();
        flush().whenComplete(() -> delegate.shutdown().whenComplete(done::succeed));
        return done;
    }
}
