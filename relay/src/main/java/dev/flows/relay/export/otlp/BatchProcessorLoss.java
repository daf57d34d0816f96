package dev.flows.relay.export.otlp;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;

/**
 * What the batch span processor reports about itself: the spans it dropped because its queue was
 * full, and how many wait. The SDK counts these only through a meter provider; this is a private
 * one, read on demand, so the counts exist whether or not the relay's /metrics is on.
 */
final class BatchProcessorLoss implements MetricReader {
    private static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");
    private final SdkMeterProvider provider;
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    BatchProcessorLoss() {
        this.provider = SdkMeterProvider.builder().registerMetricReader(this).build();
    }

    /** The meter provider to give the batch span processor. */
    SdkMeterProvider meterProvider() {
        return provider;
    }

    /** Spans the processor dropped because its queue was full (--otlp-queue). */
    long queueFull() {
        return sum("processedSpans", true);
    }

    /** Spans waiting in the processor's queue. */
    long queued() {
        return sum("queueSize", null);
    }

    private long sum(String metric, Boolean dropped) {
        long n = 0;
        for (MetricData m : registration.collectAllMetrics()) {
            if (!m.getName().equals(metric)) {
                continue;
            }
            for (var p : m.getData().getPoints()) {
                if (p instanceof LongPointData lp && (dropped == null || dropped.equals(p.getAttributes().get(DROPPED)))) {
                    n += lp.getValue();
                }
            }
        }
        return n;
    }

    @Override
    public void register(CollectionRegistration registration) {
        this.registration = registration;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode forceFlush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
