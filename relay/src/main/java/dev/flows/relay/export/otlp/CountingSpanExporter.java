package dev.flows.relay.export.otlp;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/** Wraps the OTLP exporter to count the spans each batch delivered or lost (refused, timed out, unreachable). */
final class CountingSpanExporter implements SpanExporter {
    private final SpanExporter delegate;
    private final AtomicLong exported = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    CountingSpanExporter(SpanExporter delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        int n = spans.size();
        CompletableResultCode result;
        try {
            result = delegate.export(spans);
        } catch (RuntimeException e) {
            // the OTLP exporter reports failure in its result; should it throw, the batch is still counted
            failed.addAndGet(n);
            return CompletableResultCode.ofFailure();
        }
        result.whenComplete(() -> (result.isSuccess() ? exported : failed).addAndGet(n));
        return result;
    }

    @Override
    public CompletableResultCode flush() {
        return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return delegate.shutdown();
    }

    long exported() {
        return exported.get();
    }

    long failed() {
        return failed.get();
    }
}
