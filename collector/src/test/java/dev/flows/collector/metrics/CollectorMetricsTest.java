package dev.flows.collector.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.collector.bpf.ServiceOptionCounters;
import dev.flows.collector.decode.DecodeError;
import dev.flows.collector.decode.DecodeErrors;
import dev.flows.collector.pipeline.LossCounters;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.PointData;
import dev.flows.cluster.ClusterSource;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CollectorMetricsTest {

    private static Map<String, Long> points(InMemoryMetricReader reader) {
        Map<String, Long> out = new TreeMap<>();
        for (MetricData d : reader.collectAllMetrics()) {
            if (d.getName().startsWith("jvm.")) {
                continue; // the JVM's own, see theHeapIsShownByPool
            }
            Iterable<? extends PointData> ps = switch (d.getType()) {
                case LONG_SUM -> d.getLongSumData().getPoints();
                case LONG_GAUGE -> d.getLongGaugeData().getPoints();
                case DOUBLE_GAUGE -> d.getDoubleGaugeData().getPoints();
                default -> throw new AssertionError("unexpected metric type " + d);
            };
            for (PointData p : ps) {
                long value = p instanceof LongPointData l ? l.getValue() : (long) ((DoublePointData) p).getValue();
                String stage = p.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("stage"));
                String kind = p.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("kind"));
                String outcome = p.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("outcome"));
                assertEquals("node-a", p.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("node")));
                String source = p.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("source"));
                if (source != null) {
                    assertEquals("api", source);
                }
                out.put(d.getName() + (stage != null ? "/" + stage : "") + (kind != null ? "/" + kind : "")
                        + (outcome != null ? "/" + outcome : ""), value);
            }
        }
        return out;
    }

    @Test
    void theHeapIsShownByPool() {
        InMemoryMetricReader reader = InMemoryMetricReader.create();
        try (CollectorMetrics m = new CollectorMetrics(reader, "node-a", new CollectorMetrics.Sources(() -> 0, new LossCounters(() -> 0,
                () -> 0, () -> 0), new DecodeErrors(), () -> 0, 1 << 20, () -> 0, 16, () -> 0, 15, null),
                () -> new ClusterSource.Stats("files", true, 0, 0, 0, 0, Map.of()))) {
            long heapUsed = 0;
            long heapLimit = 0;
            for (MetricData d : reader.collectAllMetrics()) {
                if (!d.getName().equals("jvm.memory.used") && !d.getName().equals("jvm.memory.limit")) {
                    continue;
                }
                for (LongPointData p : d.getLongSumData().getPoints()) {
                    if ("heap".equals(p.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("jvm.memory.type")))) {
                        if (d.getName().equals("jvm.memory.used")) {
                            heapUsed += p.getValue();
                        } else {
                            heapLimit += p.getValue();
                        }
                    }
                }
            }
            assertTrue(heapUsed > 0, "jvm.memory.used of the heap pools");
            assertEquals(Runtime.getRuntime().maxMemory(), heapLimit, 64L << 20, "jvm.memory.limit of the heap pools against -Xmx");
        }
    }

    @Test
    void everyStageIsReadWhenScraped() {
        AtomicLong read = new AtomicLong(100);
        DecodeErrors errors = new DecodeErrors();
        errors.count(DecodeError.values()[0]);
        LossCounters losses = new LossCounters(() -> 7, () -> 3, errors::total);
        losses.addReaderOverrun(11);
        AtomicLong pending = new AtomicLong(4096);
        java.util.concurrent.atomic.AtomicReference<ClusterSource.Stats> cluster = new java.util.concurrent.atomic.AtomicReference<>(
                new ClusterSource.Stats("api", false, 0, 0, 0, 0, Map.of("Pod", 0)));
        InMemoryMetricReader reader = InMemoryMetricReader.create();
        try (CollectorMetrics m = new CollectorMetrics(reader, "node-a", new CollectorMetrics.Sources(read::get, losses, errors,
                pending::get, 1 << 20, () -> 5, 65536, () -> 900, 65535, () -> new ServiceOptionCounters(20, 1, 17, 2, 3, 4)),
                cluster::get)) {
            Map<String, Long> p = points(reader);
            assertEquals(100L, p.get("flows_collector_events_read"));
            assertEquals(7L, p.get("flows_collector_events_lost/kernel_ring"));
            assertEquals(3L, p.get("flows_collector_events_lost/raw_queue"));
            assertEquals(1L, p.get("flows_collector_events_lost/decode"));
            assertEquals(11L, p.get("flows_collector_events_lost/reader_overrun"));
            assertEquals(1L, p.get("flows_collector_decode_errors/" + DecodeError.values()[0].name().toLowerCase()));
            assertEquals(4096L, p.get("flows_collector_ring_pending_bytes"));
            assertEquals(1L << 20, p.get("flows_collector_ring_size_bytes"));
            assertEquals(5L, p.get("flows_collector_queue_depth"));
            assertEquals(65536L, p.get("flows_collector_queue_capacity"));
            assertEquals(900L, p.get("flows_collector_buffer_size"));
            assertEquals(65535L, p.get("flows_collector_buffer_capacity"));
            Map<String, Long> options = new TreeMap<>();
            p.forEach((k, v) -> {
                if (k.startsWith("flows_collector_service_option/")) {
                    options.put(k.substring(k.indexOf('/') + 1), v);
                }
            });
            assertEquals(Map.of("added", 20L, "no_room", 1L, "named", 17L, "unknown_service", 2L, "malformed", 3L, "foreign", 4L), options);

            assertEquals(0L, p.get("flows_collector_cluster_synced"));
            assertEquals(0L, p.get("flows_collector_cluster_last_sync_timestamp_seconds"));

            cluster.set(new ClusterSource.Stats("api", true, 42, 3, 1, 1_700_000_000_500L, Map.of("Pod", 12, "NetworkPolicy", 2)));
            p = points(reader);
            assertEquals(1L, p.get("flows_collector_cluster_synced"));
            assertEquals(42L, p.get("flows_collector_cluster_events"));
            assertEquals(3L, p.get("flows_collector_cluster_restarts"));
            assertEquals(1L, p.get("flows_collector_cluster_rejected"));
            assertEquals(1_700_000_000L, p.get("flows_collector_cluster_last_sync_timestamp_seconds"));
            assertEquals(12L, p.get("flows_collector_cluster_objects/Pod"));
            assertEquals(2L, p.get("flows_collector_cluster_objects/NetworkPolicy"));

            read.set(250);
            pending.set(0);
            p = points(reader);
            assertEquals(250L, p.get("flows_collector_events_read"), "read again at the next scrape");
            assertEquals(0L, p.get("flows_collector_ring_pending_bytes"));
        }
    }
}
