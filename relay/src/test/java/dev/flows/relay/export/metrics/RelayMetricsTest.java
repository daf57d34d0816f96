package dev.flows.relay.export.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.Options;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.Verdict;
import dev.flows.relay.export.ExportQueue;
import dev.flows.relay.export.FlowExporter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RelayMetricsTest {

    private static MetricsConfig config(String... args) {
        MetricsConfig c = Options.parse(new MetricsConfig(), args);
        c.validate();
        return c;
    }

    /** The sample value of one exposition line (the exporter writes 3 as 3.0). */
    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Test
    void defaultsEnableEveryFamilyWithNamespaceAndPodContext() {
        MetricsConfig c = config();
        assertEquals(FlowMetrics.Family.values().length, c.families().size());
        assertEquals(List.of("source_namespace", "source_pod", "destination_namespace", "destination_pod"),
                c.families().get(FlowMetrics.Family.DROP).names());
        assertEquals(9965, c.listen().getPort());
        assertEquals(4096, c.seriesLimit());
        assertNull(config("--metrics-listen", "off").listen());
    }

    @Test
    void familiesAreChosenOneByOneAndBadOnesNamed() {
        MetricsConfig c = config("--metrics", "drop:sourceContext=namespace", "--metrics", "flow");
        assertEquals(2, c.families().size());
        assertEquals(List.of("source"), c.families().get(FlowMetrics.Family.DROP).names());
        ConfigException e = assertThrows(ConfigException.class, () -> config("--metrics", "dns"));
        assertTrue(e.getMessage().contains("unknown family dns"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> config("--metrics-series-limit", "0"));
        assertTrue(e.getMessage().contains("--metrics-series-limit 0"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> config("--metrics", "drop", "--metrics", "drop"));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void eachBadValueIsOneLineWithFlagValueAndWhatIsValid() {
        assertEquals("--metrics dns: unknown family dns; must be one of [flow, drop, policy, tcp, port-distribution, service, icmp, "
                + "flows-to-world]", assertThrows(ConfigException.class, () -> config("--metrics", "dns")).getMessage());
        assertEquals("--metrics drop sourceContext galaxy: must be one of [app, identity, namespace, pod, pod-name, reserved-identity, "
                + "workload, workload-name] or ip",
                assertThrows(ConfigException.class, () -> config("--metrics", "drop:sourceContext=galaxy")).getMessage());
        assertEquals("--metrics drop:sourceContext=pod: family drop is given twice",
                assertThrows(ConfigException.class, () -> config("--metrics", "drop", "--metrics", "drop:sourceContext=pod")).getMessage());
        assertEquals("--metrics-listen nowhere: must be HOST:PORT, e.g. 0.0.0.0:4244",
                assertThrows(ConfigException.class, () -> config("--metrics-listen", "nowhere")).getMessage());
    }

    @Test
    void servesThePrometheusTextFormatWithFlowsAndExportStats() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RelayMetrics m = RelayMetrics.start(config("--metrics-listen", "127.0.0.1:" + port));
        try {
            m.observeExports(() -> List.of(new ExportQueue.Stats("metrics", 3, 100, 42, 5, 1, FlowExporter.Sink.NONE),
                    new ExportQueue.Stats("kafka", 0, 100, 40, 0, 0, new FlowExporter.Sink(37, Map.of("buffer_full", 3L)))));
            m.flows().flow(Flow.newBuilder().setVerdict(Verdict.FORWARDED).build());
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(body.contains("flows_flows_processed_total{"), body);
            assertTrue(body.lines().anyMatch(l -> l.startsWith("flows_drop_total{") && l.contains("reason=\"POLICY_DENIED\"") && value(l) == 0), body);
            assertTrue(body.lines().anyMatch(l -> l.startsWith("flows_export_queue_depth{") && l.contains("exporter=\"metrics\"") && value(l) == 3), body);
            assertTrue(body.lines().anyMatch(l -> l.startsWith("flows_export_dropped_total{") && value(l) == 5), body);
            // The sink's own counts, for exporters whose sink confirms or loses (Kafka), and none for the others.
            assertTrue(body.lines().anyMatch(l -> l.startsWith("flows_export_delivered_total{") && l.contains("exporter=\"kafka\"") && value(l) == 37), body);
            assertTrue(body.lines().anyMatch(l -> l.startsWith("flows_export_lost_total{") && l.contains("exporter=\"kafka\"")
                    && l.contains("reason=\"buffer_full\"") && value(l) == 3), body);
            assertTrue(body.lines().noneMatch(l -> l.startsWith("flows_export_delivered_total{") && l.contains("exporter=\"metrics\"")), body);
            assertTrue(body.lines().anyMatch(l -> l.startsWith("flows_lost_events_total{") && l.contains("source=\"hubble_ring_buffer\"")), body);
        } finally {
            m.close();
        }
    }
}
