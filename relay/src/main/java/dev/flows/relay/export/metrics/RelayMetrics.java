package dev.flows.relay.export.metrics;

import dev.flows.relay.export.ExportQueue;
import dev.flows.relay.export.FlowExporter;
import dev.flows.relay.export.otlp.TraceExporter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.prometheus.PrometheusHttpServer;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The relay's metrics, wired in one place: an OpenTelemetry SDK meter provider read by the
 * Prometheus exporter's HTTP server (the text format is the exporter's), the flow families
 * ({@link FlowMetrics}, fed by the export hub) and the export hub's own statistics.
 */
public final class RelayMetrics implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RelayMetrics.class.getName());
    private static final AttributeKey<String> EXPORTER = AttributeKey.stringKey("exporter");
    private static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");

    private final SdkMeterProvider provider;
    private final FlowMetrics flows;
    private final Meter meter;

    RelayMetrics(MetricReader reader, MetricsConfig config) {
        this.provider = providerBuilder(config.seriesLimit())
                .setResource(Resource.getDefault().toBuilder().put("service.name", "flows-relay").build())
                .registerMetricReader(reader).build();
        this.meter = provider.get("dev.flows.relay");
        this.flows = new FlowMetrics(meter, config.families(), config.seriesLimit(), RelayMetrics::wallNanos);
    }

    /**
     * A meter provider builder for {@link FlowMetrics} with this series limit: the SDK's own limit
     * (2000 by default, beyond which it merges series silently) is raised above ours, so overflow
     * is always ours to route and count.
     */
    public static SdkMeterProviderBuilder providerBuilder(int seriesLimit) {
        return SdkMeterProvider.builder().registerView(InstrumentSelector.builder().setName("*").build(),
                View.builder().setCardinalityLimit(seriesLimit + 16).build());
    }

    /** Serves /metrics on the configured address; null when metrics are off. */
    public static RelayMetrics start(MetricsConfig config) {
        if (config.listen() == null) {
            return null;
        }
        PrometheusHttpServer server = PrometheusHttpServer.builder()
                .setHost(config.listen().getHostString()).setPort(config.listen().getPort()).build();
        LOG.info(() -> "metrics on http://" + config.listen().getHostString() + ":" + config.listen().getPort() + "/metrics");
        return new RelayMetrics(server, config);
    }

    /** The exporter to add to the export hub. */
    public FlowMetrics flows() {
        return flows;
    }

    /** Exposes the export hub's queues: depth, capacity, exported, dropped, failed per exporter. */
    public void observeExports(Supplier<List<ExportQueue.Stats>> stats) {
        meter.gaugeBuilder("flows_export_queue_depth").ofLongs()
                .setDescription("Responses waiting in an exporter's queue.")
                .buildWithCallback(m -> stats.get().forEach(s -> m.record(s.queued(), Attributes.of(EXPORTER, s.exporter()))));
        meter.gaugeBuilder("flows_export_queue_capacity").ofLongs()
                .setDescription("Room of an exporter's queue (--export-queue).")
                .buildWithCallback(m -> stats.get().forEach(s -> m.record(s.capacity(), Attributes.of(EXPORTER, s.exporter()))));
        meter.counterBuilder("flows_export_exported")
                .setDescription("Responses an exporter took from its queue and exported.")
                .buildWithCallback(m -> stats.get().forEach(s -> m.record(s.exported(), Attributes.of(EXPORTER, s.exporter()))));
        meter.counterBuilder("flows_export_dropped")
                .setDescription("Responses an exporter lost because its queue was full (raise --export-queue).")
                .buildWithCallback(m -> stats.get().forEach(s -> m.record(s.dropped(), Attributes.of(EXPORTER, s.exporter()))));
        meter.counterBuilder("flows_export_failed")
                .setDescription("Responses an exporter failed to export (its sink refused them).")
                .buildWithCallback(m -> stats.get().forEach(s -> m.record(s.failed(), Attributes.of(EXPORTER, s.exporter()))));
        // Only exporters whose sink confirms or loses on its own (Kafka) have these series.
        meter.counterBuilder("flows_export_delivered")
                .setDescription("Records an exporter's sink confirmed (Kafka: acknowledged by the brokers).")
                .buildWithCallback(m -> stats.get().stream().filter(s -> s.sink() != FlowExporter.Sink.NONE)
                        .forEach(s -> m.record(s.sink().delivered(), Attributes.of(EXPORTER, s.exporter()))));
        meter.counterBuilder("flows_export_lost")
                .setDescription("Records an exporter's sink lost after taking them, by reason (Kafka: buffer_full, "
                        + "no_metadata, expired, rejected, shutdown; see the README).")
                .buildWithCallback(m -> stats.get().forEach(s -> s.sink().lost().forEach((reason, n) ->
                        m.record(n, Attributes.of(EXPORTER, s.exporter(), REASON, reason)))));
    }

    /** Exposes the trace exporter's span accounting: sampled out, exported, and lost with the reason. */
    public void observeTraces(Supplier<TraceExporter.Stats> stats) {
        AttributeKey<String> reason = AttributeKey.stringKey("reason");
        meter.counterBuilder("flows_traces_spans_exported")
                .setDescription("Spans the OTLP receiver accepted.")
                .buildWithCallback(m -> m.record(stats.get().exported()));
        meter.counterBuilder("flows_traces_spans_unsampled")
                .setDescription("Spans of connections left out by --otlp-sampling-ratio (never drops).")
                .buildWithCallback(m -> m.record(stats.get().unsampled()));
        meter.counterBuilder("flows_traces_spans_dropped")
                .setDescription("Spans lost: queue_full (raise --otlp-queue) or export_failed (receiver refused, unreachable or "
                        + "past --otlp-timeout).")
                .buildWithCallback(m -> {
                    TraceExporter.Stats s = stats.get();
                    m.record(s.queueFull(), Attributes.of(reason, "queue_full"));
                    m.record(s.failed(), Attributes.of(reason, "export_failed"));
                });
        meter.counterBuilder("flows_traces_flows_without_address")
                .setDescription("Flows without IP addresses: no connection to put them in, so no span.")
                .buildWithCallback(m -> m.record(stats.get().noAddress()));
        meter.gaugeBuilder("flows_traces_queue_depth").ofLongs()
                .setDescription("Spans waiting for export (at most --otlp-queue).")
                .buildWithCallback(m -> m.record(stats.get().queued()));
        meter.counterBuilder("flows_traces_connections_evicted")
                .setDescription("Connections forgotten because --otlp-connections was full; their later flows start a new trace.")
                .buildWithCallback(m -> m.record(stats.get().connectionsEvicted()));
    }

    private static long wallNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public void close() {
        provider.close();
    }
}
