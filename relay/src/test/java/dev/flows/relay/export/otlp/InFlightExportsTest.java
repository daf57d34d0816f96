package dev.flows.relay.export.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Several export requests out at once, never more than the limit, and none forgotten at shutdown. */
class InFlightExportsTest {
    /** A receiver that answers only when told to. */
    static final class SlowReceiver implements SpanExporter {
        final List<CompletableResultCode> out = new CopyOnWriteArrayList<>();
        final List<Integer> sizes = new CopyOnWriteArrayList<>();
        volatile boolean shutdown;

        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            sizes.add(spans.size());
            CompletableResultCode r = new CompletableResultCode();
            out.add(r);
            return r;
        }

        /** Requests are sent from the export threads: wait until {@code n} have arrived. */
        void awaitRequests(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (out.size() < n && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(n, out.size());
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            shutdown = true;
            return CompletableResultCode.ofSuccess();
        }
    }

    static final SpanData SPAN = TestSpanData.builder().setName("from-endpoint").setKind(SpanKind.INTERNAL).setStartEpochNanos(1)
            .setEndEpochNanos(1).setHasEnded(true).setStatus(StatusData.unset()).build();

    static List<SpanData> batch(int n) {
        List<SpanData> b = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            b.add(SPAN);
        }
        return b;
    }

    @Test
    void keepsUpToTheLimitOutAndCountsEveryAnswer() throws Exception {
        SlowReceiver receiver = new SlowReceiver();
        CountingSpanExporter counting = new CountingSpanExporter(receiver);
        InFlightExports exports = new InFlightExports(counting, 3);
        for (int i = 0; i < 3; i++) {
            assertTrue(exports.export(batch(10)).isDone(), "the processor is answered at once while requests are free");
        }
        receiver.awaitRequests(3);
        assertEquals(30, exports.spans(), "sent, not yet answered");

        // a fourth batch waits for a free request: the processor's queue takes the pressure
        CompletableFuture<Void> fourth = CompletableFuture.runAsync(() -> exports.export(batch(7)));
        Thread.sleep(200);
        assertFalse(fourth.isDone(), "three out, the fourth must wait");
        assertEquals(3, receiver.out.size());

        receiver.out.get(0).succeed();
        fourth.get(5, TimeUnit.SECONDS);
        receiver.awaitRequests(4);
        receiver.out.get(1).fail();
        assertEquals(10 + 7, exports.spans(), "the third and fourth batches still out");

        CompletableResultCode shutdown = exports.shutdown();
        assertFalse(shutdown.isDone(), "shutdown waits for the answers still out");
        assertFalse(receiver.shutdown, "the exporter is not stopped under requests in flight");
        receiver.out.get(2).succeed();
        receiver.out.get(3).succeed();
        assertTrue(shutdown.join(5, TimeUnit.SECONDS).isSuccess());
        assertTrue(receiver.shutdown);
        assertEquals(10 + 10 + 7, counting.exported());
        assertEquals(10, counting.failed());
        assertEquals(0, exports.spans());
        assertEquals(List.of(10, 10, 10, 7), receiver.sizes);
    }

    @Test
    void theProcessorMayReuseItsBatchOnceAnswered() throws Exception {
        SlowReceiver receiver = new SlowReceiver();
        List<SpanData> seen = new CopyOnWriteArrayList<>();
        InFlightExports exports = new InFlightExports(new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                CompletableResultCode r = receiver.export(spans);
                // read later, as an exporter sending in the background would
                r.whenComplete(() -> seen.addAll(spans));
                return r;
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        }, 2);
        List<SpanData> batch = batch(5);
        exports.export(batch);
        batch.clear();
        receiver.awaitRequests(1);
        receiver.out.get(0).succeed();
        // the export thread may register its completion callback after the answer: then the
        // callback runs there, so wait for it (a batch not copied stays empty and fails here)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (seen.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(5, seen.size(), "the exporter got its own copy of the batch");
    }
}
