package dev.flows.relay.export.otlp;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets the batch span processor's one worker keep several export requests in flight, marshalled
 * on threads of their own. The processor waits for each export's result before it takes the next
 * batch, and the OTLP exporter marshals on the calling thread: one request at a time caps
 * throughput at one batch per marshal plus round trip (on a busy host, tens of milliseconds of
 * scheduling alone), and one thread marshals everything. This takes a copy of the batch, hands it
 * to one of {@code limit} export threads (each calls the OTLP exporter, which marshals and sends
 * asynchronously: OTLP allows concurrent requests), and answers the processor at once, unless
 * {@code limit} requests are already out: then it waits for one to finish, so spans pile up in
 * the processor's bounded queue and its drops are counted as before. Outcomes are counted by the
 * wrapped exporter when the receiver answers; {@link #shutdown} waits for every request still out.
 */
final class InFlightExports implements SpanExporter {
    private final SpanExporter delegate;
    private final Semaphore slots;
    private final ExecutorService senders;
    private final AtomicLong spans = new AtomicLong();
    /** One per request out, completed when the receiver answered (or the request failed). */
    private final Set<CompletableResultCode> pending = ConcurrentHashMap.newKeySet();

    /** @param delegate answers every batch within its timeout and never throws (the {@link CountingSpanExporter}) */
    InFlightExports(SpanExporter delegate, int limit) {
        this.delegate = delegate;
        this.slots = new Semaphore(limit);
        AtomicInteger n = new AtomicInteger();
        this.senders = Executors.newFixedThreadPool(limit, r -> {
            Thread t = new Thread(r, "flows-otlp-export-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> batch) {
        // bounded: every request out ends within --otlp-timeout, the OTLP exporter's own deadline
        slots.acquireUninterruptibly();
        // the processor reuses its batch list once we return
        List<SpanData> copy = List.copyOf(batch);
        spans.addAndGet(copy.size());
        CompletableResultCode answered = new CompletableResultCode();
        pending.add(answered);
        answered.whenComplete(() -> {
            pending.remove(answered);
            spans.addAndGet(-copy.size());
            slots.release();
        });
        senders.execute(() -> {
            CompletableResultCode r = delegate.export(copy);
            r.whenComplete(() -> {
                if (r.isSuccess()) {
                    answered.succeed();
                } else {
                    answered.fail();
                }
            });
        });
        return CompletableResultCode.ofSuccess();
    }

    /** Spans sent (or being marshalled) and not yet answered. */
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
        flush().whenComplete(() -> {
            senders.shutdown();
            delegate.shutdown().whenComplete(done::succeed);
        });
        return done;
    }
}
