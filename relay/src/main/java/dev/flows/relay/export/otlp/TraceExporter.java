package dev.flows.relay.export.otlp;

import dev.flows.proto.flow.Flow;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.relay.export.FlowExporter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The OTLP trace exporter: one trace per connection ({@link ConnectionTraces}), one span per flow,
 * that is per observation point or decision ({@link FlowSpans}), through the OpenTelemetry SDK's
 * batch span processor and OTLP exporter (gRPC over grpc-java, or HTTP/protobuf over the JDK's
 * client). The first span of a connection is the parent of its later spans, so a backend shows the
 * connection as one tree, from whichever node saw it first. Each span starts and ends at its flow's
 * time; drops have status ERROR.
 *
 * <p>Loss is counted where it happens: spans the processor's queue could not take, and spans whose
 * export failed ({@link #stats()}, on /metrics as {@code flows_traces_*}).
 */
public final class TraceExporter implements FlowExporter {
    private static final Logger LOG = Logger.getLogger(TraceExporter.class.getName());

    /**
     * What became of the flows and spans: flows without addresses (no connection, so no span),
     * spans sampled in and out, exported, lost, waiting (in the processor's queue or sent and not yet answered), and
     * the connections forgotten early.
     */
    public record Stats(long noAddress, long sampled, long unsampled, long exported, long failed, long queueFull, long queued,
            long connectionsEvicted) {}

    private final ConnectionTraces connections;
    private final ConnectionIds ids = new ConnectionIds();
    private final CountingSpanExporter sink;
    private final InFlightExports inFlight;
    private final BatchProcessorLoss processorLoss = new BatchProcessorLoss();
    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final AtomicLong sampled = new AtomicLong();
    private final AtomicLong unsampled = new AtomicLong();
    private final AtomicLong noAddress = new AtomicLong();
    /** The final counts, kept once the processor's meter provider is gone. */
    private volatile Stats closed;

    /** @param sink where batches go: the OTLP exporter that {@link #start} builds, or any other (the seam) */
    TraceExporter(TracesConfig config, SpanExporter sink) {
        this.connections = new ConnectionTraces(config.connectionIdle(), config.connections());
        this.sink = new CountingSpanExporter(sink);
        this.inFlight = new InFlightExports(this.sink, config.exportsInFlight());
        BatchSpanProcessor batches = BatchSpanProcessor.builder(inFlight)
                .setMaxQueueSize(config.queueSize())
                .setMaxExportBatchSize(config.batchSize())
                .setScheduleDelay(config.scheduleDelay())
                .setExporterTimeout(config.timeout())
                .setMeterProvider(processorLoss.meterProvider())
                .build();
        this.provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().toBuilder().put("service.name", "flows-relay").build())
                .setIdGenerator(ids)
                .setSampler(new FlowSampler(config.samplingRatio()))
                .addSpanProcessor(batches)
                .build();
        this.tracer = provider.get("dev.flows.relay");
    }

    /** The exporter for these settings, or null when traces are off (no --otlp-endpoint). */
    public static TraceExporter start(TracesConfig config) {
        if (config.endpoint() == null) {
            return null;
        }
        LOG.info(() -> "traces to " + config.endpoint() + " over " + config.protocol().option()
                + ", sampling ratio " + config.samplingRatio());
        return new TraceExporter(config, otlp(config));
    }

    private static SpanExporter otlp(TracesConfig config) {
        String endpoint = config.endpoint().toString();
        if (config.protocol() == TracesConfig.Protocol.GRPC) {
            OtlpGrpcSpanExporterBuilder b = OtlpGrpcSpanExporter.builder().setEndpoint(endpoint).setTimeout(config.timeout());
            config.headers().forEach(b::addHeader);
            return b.build();
        }
        OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder().setEndpoint(endpoint).setTimeout(config.timeout());
        config.headers().forEach(b::addHeader);
        return b.build();
    }

    @Override
    public String name() {
        return "traces";
    }

    @Override
    public void export(GetFlowsResponse response) {
        if (!response.hasFlow()) {
            return;
        }
        Flow f = response.getFlow();
        ConnectionTraces.Connection c = connections.of(f);
        if (c == null) {
            noAddress.incrementAndGet();
            return;
        }
        long nanos = f.getTime().getSeconds() * 1_000_000_000L + f.getTime().getNanos();
        String name = FlowSpans.name(f);
        SpanBuilder b = tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL)
                .setStartTimestamp(nanos, TimeUnit.NANOSECONDS);
        FlowSpans.attributes(f, b);
        if (c.parent == null) {
            ids.next(c.traceId);
            b.setNoParent();
        } else {
            b.setParent(c.parent);
        }
        Span span = b.startSpan();
        if (FlowSpans.isDrop(f)) {
            span.setStatus(StatusCode.ERROR, f.getDropReasonDesc().name());
        }
        span.end(nanos, TimeUnit.NANOSECONDS);
        if (c.parent == null) {
            c.parent = Context.root().with(Span.wrap(span.getSpanContext()));
        }
        (span.getSpanContext().isSampled() ? sampled : unsampled).incrementAndGet();
    }

    /** Counters for /metrics; safe to call from any thread. */
    public Stats stats() {
        Stats last = closed;
        if (last != null) {
            return last;
        }
        return new Stats(noAddress.get(), sampled.get(), unsampled.get(), sink.exported(), sink.failed(), processorLoss.queueFull(),
                processorLoss.queued() + inFlight.spans(), connections.evicted());
    }

    /** Spans the receiver took, and spans lost on the way (counted in the relay's status with other export loss). */
    @Override
    public Sink sink() {
        Stats s = stats();
        return new Sink(s.exported(), Map.of("queue_full", s.queueFull(), "export_failed", s.failed()));
    }

    /** Sends what is queued (within --otlp-timeout) and stops. */
    @Override
    public void close() {
        provider.close();
        Stats s = stats();
        closed = s;
        processorLoss.meterProvider().close();
        if (s.queueFull() + s.failed() > 0) {
            LOG.warning("traces: " + s.queueFull() + " spans dropped with the queue full (raise --otlp-queue), "
                    + s.failed() + " failed to export");
        }
    }
}
