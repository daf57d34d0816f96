package dev.flows.collector.metrics;

import dev.flows.cluster.ClusterSource;
import dev.flows.collector.bpf.ServiceOptionCounters;
import dev.flows.collector.decode.DecodeError;
import dev.flows.collector.decode.DecodeErrors;
import dev.flows.collector.pipeline.LossCounters;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.instrumentation.runtimemetrics.java8.Cpu;
import io.opentelemetry.instrumentation.runtimemetrics.java8.GarbageCollector;
import io.opentelemetry.instrumentation.runtimemetrics.java8.MemoryPools;
import io.opentelemetry.exporter.prometheus.PrometheusHttpServer;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The collector's own health as Prometheus metrics (OpenTelemetry SDK, Prometheus exporter): events
 * read from the kernel ring, events lost per stage, how full the ring is, decode errors by kind, and
 * the fill of the raw queue and the flow buffer, and what the source of cluster state did (watch
 * events, restarts, objects refused, objects held, when it was last known current). Every value
 * is read from its stage when scraped; nothing is added on the event path.
 */
public final class CollectorMetrics implements AutoCloseable {
    /** Where each value comes from; each supplier is cheap and safe to call from any thread. */
    public record Sources(LongSupplier eventsRead, LossCounters losses, DecodeErrors decodeErrors,
            LongSupplier ringPendingBytes, long ringSizeBytes, LongSupplier queueDepth, int queueCapacity,
            LongSupplier bufferSize, int bufferCapacity, Supplier<ServiceOptionCounters> serviceOptions) {}

    private final SdkMeterProvider provider;

    CollectorMetrics(MetricReader reader, String node, Sources s, Supplier<ClusterSource.Stats> cluster) {
        this.provider = SdkMeterProvider.builder()
                .setResource(Resource.getDefault().toBuilder().put("service.name", "flows-collector").build())
                .registerMetricReader(reader).build();
        Meter meter = provider.get("dev.flows.collector");
        jvm();
        Attributes n = Attributes.of(AttributeKey.stringKey("node"), node);
        AttributeKey<String> stage = AttributeKey.stringKey("stage");
        meter.counterBuilder("flows_collector_events_read").setDescription("Events read from the kernel ring buffer.")
                .buildWithCallback(m -> m.record(s.eventsRead().getAsLong(), n));
        meter.counterBuilder("flows_collector_events_lost")
                .setDescription("Events lost, by stage: kernel_ring (raise --ring-size), raw_queue (raise --queue-capacity), "
                        + "decode (collector and BPF objects out of step), reader_overrun (raise --buffer-capacity).")
                .buildWithCallback(m -> {
                    m.record(s.losses().kernelRing(), n.toBuilder().put(stage, "kernel_ring").build());
                    m.record(s.losses().rawQueue(), n.toBuilder().put(stage, "raw_queue").build());
                    m.record(s.losses().decodeErrors(), n.toBuilder().put(stage, "decode").build());
                    m.record(s.losses().readerOverrun(), n.toBuilder().put(stage, "reader_overrun").build());
                });
        if (s.serviceOptions() != null) {
            AttributeKey<String> outcome = AttributeKey.stringKey("outcome");
            meter.counterBuilder("flows_collector_service_option")
                    .setDescription("The option carrying a service connection's frontend to its backend's node (bpf/include/svcopt.h), "
                            + "by outcome: added, no_room (sent without it), named, unknown_service, malformed, foreign (other IPv4 options, "
                            + "left as they are). no_room, unknown_service and malformed are connections the backend's node cannot name.")
                    .buildWithCallback(m -> {
                        ServiceOptionCounters c = s.serviceOptions().get();
                        m.record(c.added(), n.toBuilder().put(outcome, "added").build());
                        m.record(c.noRoom(), n.toBuilder().put(outcome, "no_room").build());
                        m.record(c.named(), n.toBuilder().put(outcome, "named").build());
                        m.record(c.unknownService(), n.toBuilder().put(outcome, "unknown_service").build());
                        m.record(c.malformed(), n.toBuilder().put(outcome, "malformed").build());
                        m.record(c.foreign(), n.toBuilder().put(outcome, "foreign").build());
                    });
        }
        AttributeKey<String> kind = AttributeKey.stringKey("kind");
        meter.counterBuilder("flows_collector_decode_errors").setDescription("Records that failed to decode, by kind.")
                .buildWithCallback(m -> {
                    for (DecodeError e : DecodeError.values()) {
                        m.record(s.decodeErrors().get(e), n.toBuilder().put(kind, e.name().toLowerCase(Locale.ROOT)).build());
                    }
                });
        meter.gaugeBuilder("flows_collector_ring_pending_bytes").ofLongs()
                .setDescription("Bytes in the kernel ring buffer not read yet.")
                .buildWithCallback(m -> m.record(s.ringPendingBytes().getAsLong(), n));
        meter.gaugeBuilder("flows_collector_ring_size_bytes").ofLongs().setDescription("Size of the kernel ring buffer (--ring-size).")
                .buildWithCallback(m -> m.record(s.ringSizeBytes(), n));
        meter.gaugeBuilder("flows_collector_queue_depth").ofLongs().setDescription("Raw events waiting for decoding.")
                .buildWithCallback(m -> m.record(s.queueDepth().getAsLong(), n));
        meter.gaugeBuilder("flows_collector_queue_capacity").ofLongs().setDescription("Room of the raw event queue (--queue-capacity).")
                .buildWithCallback(m -> m.record(s.queueCapacity(), n));
        meter.gaugeBuilder("flows_collector_buffer_size").ofLongs().setDescription("Flows held in the flow buffer.")
                .buildWithCallback(m -> m.record(s.bufferSize().getAsLong(), n));
        meter.gaugeBuilder("flows_collector_buffer_capacity").ofLongs().setDescription("Room of the flow buffer (--buffer-capacity).")
                .buildWithCallback(m -> m.record(s.bufferCapacity(), n));
        clusterSource(meter, n, cluster);
    }

    /**
     * The JVM's memory by pool (heap used, after the last GC, committed, limit), GC time and CPU,
     * from OpenTelemetry's runtime instrumentation: what the flow buffer costs in heap and how the
     * heap follows the container's limit (issue 17).
     */
    private void jvm() {
        OpenTelemetry metricsOnly = new OpenTelemetry() {
            @Override
            public MeterProvider getMeterProvider() {
                return provider;
            }

            @Override
            public TracerProvider getTracerProvider() {
                return TracerProvider.noop();
            }

            @Override
            public ContextPropagators getPropagators() {
                return ContextPropagators.noop();
            }
        };
        MemoryPools.registerObservers(metricsOnly);
        GarbageCollector.registerObservers(metricsOnly);
        Cpu.registerObservers(metricsOnly);
    }

    private static void clusterSource(Meter meter, Attributes node, Supplier<ClusterSource.Stats> cluster) {
        AttributeKey<String> source = AttributeKey.stringKey("source");
        AttributeKey<String> kind = AttributeKey.stringKey("kind");
        Function<ClusterSource.Stats, Attributes> of = st -> node.toBuilder().put(source, st.source()).build();
        meter.gaugeBuilder("flows_collector_cluster_synced").ofLongs()
                .setDescription("1 once the cluster state was read whole (api: every kind listed); until then the collector does not start.")
                .buildWithCallback(m -> {
                    ClusterSource.Stats st = cluster.get();
                    m.record(st.synced() ? 1 : 0, of.apply(st));
                });
        clusterCounter(meter, "flows_collector_cluster_events", "Changes of the cluster state received (api: watch events; files: new versions of the files).", cluster, of, ClusterSource.Stats::events);
        clusterCounter(meter, "flows_collector_cluster_restarts", "Times a watch of the API server was lost and reading started again (reconnect, or list after 410 Gone).", cluster, of, ClusterSource.Stats::restarts);
        clusterCounter(meter, "flows_collector_cluster_rejected", "Objects left out of the cluster state because flows cannot hold them (each one logged with its reason).", cluster, of, ClusterSource.Stats::rejected);
        meter.gaugeBuilder("flows_collector_cluster_last_sync_timestamp_seconds")
                .setDescription("When the cluster state was last known current (api: every kind listed and watching; files: last loaded).")
                .buildWithCallback(m -> {
                    ClusterSource.Stats st = cluster.get();
                    m.record(st.lastSyncMillis() / 1000.0, of.apply(st));
                });
        meter.gaugeBuilder("flows_collector_cluster_objects").ofLongs()
                .setDescription("Objects of the cluster state held, by kind.")
                .buildWithCallback(m -> {
                    ClusterSource.Stats st = cluster.get();
                    Attributes a = of.apply(st);
                    for (Map.Entry<String, Integer> e : st.objects().entrySet()) {
                        m.record(e.getValue(), a.toBuilder().put(kind, e.getKey()).build());
                    }
                });
    }

    private static void clusterCounter(Meter meter, String name, String description, Supplier<ClusterSource.Stats> cluster,
            Function<ClusterSource.Stats, Attributes> of, ToLongFunction<ClusterSource.Stats> value) {
        meter.counterBuilder(name).setDescription(description).buildWithCallback(m -> {
            ClusterSource.Stats st = cluster.get();
            m.record(value.applyAsLong(st), of.apply(st));
        });
    }

    /** Serves /metrics on {@code address}. */
    public static CollectorMetrics serve(InetSocketAddress address, String node, Sources sources,
            Supplier<ClusterSource.Stats> cluster) {
        return new CollectorMetrics(PrometheusHttpServer.builder().setHost(address.getHostString()).setPort(address.getPort()).build(),
                node, sources, cluster);
    }

    @Override
    public void close() {
        provider.close();
    }
}
