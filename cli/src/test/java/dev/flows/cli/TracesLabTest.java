package dev.flows.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.relay.export.otlp.OtlpReceiver;
import dev.flows.lab.LabNames;
import dev.flows.testing.BpfGate;
import io.opentelemetry.proto.trace.v1.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * OTLP traces end to end: the lab's relay exports to an OTLP gRPC receiver in this test's process
 * (loopback, the root namespace where the relay runs) while the lab's traffic crosses the real
 * datapath. A tracing backend would show each connection as one trace, with the spans of both
 * nodes.
 */
@Tag("lab")
class TracesLabTest {
    private static final String FRONTEND = "10.244.1.10";
    private static final String CATALOG = "10.244.2.10";

    private static OtlpReceiver receiver;
    private static LabCli lab;

    @BeforeAll
    static void labUp() throws Exception {
        BpfGate.require();
        receiver = OtlpReceiver.grpc(0, true);
        lab = LabCli.up("flows-traces-lab", List.of("--otlp-endpoint=" + receiver.endpoint(), "--otlp-schedule-delay=200ms"));
    }

    @AfterAll
    static void labDown() throws Exception {
        try {
            if (lab != null) {
                lab.down();
            }
        } finally {
            if (receiver != null) {
                receiver.close();
            }
        }
    }

    /** The client's port of a frontend ↔ catalog:8080 span, whichever way the packet went; null for other traffic. */
    private static Long frontendToCatalogPort(OtlpReceiver.Received s) {
        Object sport = s.attributes().get("source.port");
        Object dport = s.attributes().get("destination.port");
        if (FRONTEND.equals(s.attr("source.address")) && CATALOG.equals(s.attr("destination.address")) && Long.valueOf(8080).equals(dport)) {
            return (Long) sport;
        }
        if (CATALOG.equals(s.attr("source.address")) && FRONTEND.equals(s.attr("destination.address")) && Long.valueOf(8080).equals(sport)) {
            return (Long) dport;
        }
        return null;
    }

    /** Spans of frontend → catalog connections, by the client's port: one connection each (every call opens a new one). */
    private static Map<Long, List<OtlpReceiver.Received>> catalogConnections(List<OtlpReceiver.Received> spans) {
        return spans.stream().filter(s -> frontendToCatalogPort(s) != null)
                .collect(Collectors.groupingBy(TracesLabTest::frontendToCatalogPort, TreeMap::new, Collectors.toList()));
    }

    /** A connection a backend shows whole: the SYN leaving frontend on node-a and entering catalog on node-b, and the answer. */
    private static boolean complete(List<OtlpReceiver.Received> c) {
        return c.stream().anyMatch(s -> s.name().equals("from-endpoint") && "node-a".equals(s.attr("k8s.node.name")))
                && c.stream().anyMatch(s -> s.name().equals("to-endpoint") && "node-b".equals(s.attr("k8s.node.name")))
                && c.stream().anyMatch(s -> Boolean.TRUE.equals(s.attributes().get("flows.is_reply")));
    }

    @Test
    void aCrossNodeConnectionArrivesAsOneTraceWithSpansFromBothNodes() throws Exception {
        // frontend calls catalog every 500 ms; a few complete connections within half a minute
        List<OtlpReceiver.Received> spans = receiver.await(
                s -> catalogConnections(s).values().stream().filter(TracesLabTest::complete).count() >= 3, 60, TimeUnit.SECONDS);
        Map<Long, List<OtlpReceiver.Received>> connections = catalogConnections(spans);
        List<List<OtlpReceiver.Received>> complete = connections.values().stream().filter(TracesLabTest::complete).toList();
        assertTrue(complete.size() >= 3, "complete frontend -> catalog connections: " + complete.size() + " of " + connections.size()
                + " (" + spans.size() + " spans received)");

        for (List<OtlpReceiver.Received> c : complete) {
            Set<String> traceIds = c.stream().map(OtlpReceiver.Received::traceId).collect(Collectors.toSet());
            assertEquals(1, traceIds.size(), "one trace per connection: " + c);
            assertEquals(Set.of("node-a", "node-b"), c.stream().map(s -> s.attr("k8s.node.name")).collect(Collectors.toSet()));
            // nothing else in that trace: another connection's spans would mean a key collision
            String trace = traceIds.iterator().next();
            assertEquals(c.size(), spans.stream().filter(s -> s.traceId().equals(trace)).count(), "trace " + trace + " holds only this connection");
            List<OtlpReceiver.Received> roots = c.stream().filter(s -> s.parentSpanId().isEmpty()).toList();
            assertEquals(1, roots.size(), "one root, the first observation: " + c);
            for (OtlpReceiver.Received s : c) {
                if (!s.parentSpanId().isEmpty()) {
                    assertEquals(roots.get(0).spanId(), s.parentSpanId(), s.toString());
                }
                assertEquals("flows-relay", s.serviceName());
                assertEquals("tcp", s.attr("network.transport"));
                assertEquals("ipv4", s.attr("network.type"));
                assertEquals("FORWARDED", s.attr("flows.verdict"));
                assertEquals(Status.StatusCode.STATUS_CODE_UNSET, s.status());
                assertEquals(s.startNanos(), s.endNanos());
            }
            OtlpReceiver.Received leaving = c.stream()
                    .filter(s -> s.name().equals("from-endpoint") && "node-a".equals(s.attr("k8s.node.name"))).findFirst().orElseThrow();
            assertEquals("frontend-6b8f9c7d5-q2x7k", leaving.attr("k8s.pod.name"));
            assertEquals("shop", leaving.attr("k8s.namespace.name"));
            assertEquals("FROM_ENDPOINT", leaving.attr("flows.trace_observation_point"));
            assertEquals(false, leaving.attributes().get("flows.is_reply"));
            OtlpReceiver.Received entering = c.stream()
                    .filter(s -> s.name().equals("to-endpoint") && "node-b".equals(s.attr("k8s.node.name"))).findFirst().orElseThrow();
            assertEquals("catalog-7f6d8c9b5-p8n3r", entering.attr("k8s.pod.name"));
            assertEquals("shop", entering.attr("k8s.namespace.name"));
            assertEquals("shop", entering.attr("flows.source.namespace"));
            assertEquals("frontend-6b8f9c7d5-q2x7k", entering.attr("flows.source.pod"));
        }
        // different connections, different traces
        assertEquals(complete.size(), complete.stream().map(c -> c.get(0).traceId()).distinct().count());

        // and the relay's /metrics tells the same: every span received was counted as exported, none lost
        long received = receiver.count();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String metrics = relayMetrics();
        while (sample(metrics, "flows_traces_spans_exported_total", "") < received && System.nanoTime() < deadline) {
            Thread.sleep(200);
            metrics = relayMetrics();
        }
        assertTrue(sample(metrics, "flows_traces_spans_exported_total", "") >= received, received + " spans received; " + metrics);
        assertEquals(0, sample(metrics, "flows_traces_spans_dropped_total{", "reason=\"queue_full\""), metrics);
        assertEquals(0, sample(metrics, "flows_traces_spans_dropped_total{", "reason=\"export_failed\""), metrics);
    }

    private static String relayMetrics() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + LabNames.RELAY_METRICS_ADDRESS + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of the first exposition line starting with {@code prefix} and holding {@code label}. */
    private static double sample(String metrics, String prefix, String label) {
        return metrics.lines().filter(l -> l.startsWith(prefix) && l.contains(label)).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(prefix + " " + label + " missing in\n" + metrics));
    }

    /**
     * A denied connection as a trace with the drop: the lab's prometheus-0 calls a cart pod, which
     * its egress policy (infra/prometheus-platform-only) denies on node-a.
     */
    @Test
    void aDeniedConnectionArrivesAsATraceWithTheDrop() throws Exception {
        List<OtlpReceiver.Received> spans = receiver.await(
                s -> s.stream().anyMatch(x -> x.name().equals("drop") && "POLICY_DENIED".equals(x.attr("flows.drop_reason"))),
                60, TimeUnit.SECONDS);
        List<OtlpReceiver.Received> drops = spans.stream()
                .filter(x -> x.name().equals("drop") && "POLICY_DENIED".equals(x.attr("flows.drop_reason"))).toList();
        assertFalse(drops.isEmpty(), "no policy drop span among " + spans.size() + " spans");
        for (OtlpReceiver.Received d : drops) {
            assertEquals(Status.StatusCode.STATUS_CODE_ERROR, d.status());
            assertEquals("POLICY_DENIED", d.statusMessage());
            assertEquals("DROPPED", d.attr("flows.verdict"));
            assertTrue(d.attributes().get("flows.policies") instanceof List<?> l && !l.isEmpty(), "the deciding policy: " + d);
            assertTrue(d.attr("k8s.pod.name") != null && d.attr("k8s.node.name") != null, d.toString());
            assertEquals("10.244.1.12", d.attr("source.address"), "prometheus-0: " + d);
            assertEquals("10.244.2.11", d.attr("destination.address"), "cart on node-b: " + d);
            assertEquals("node-a", d.attr("k8s.node.name"), "egress is denied on the client's node: " + d);
            // the trace is the denied connection's: every span in it joins the same two endpoints
            Set<String> endpoints = Set.of(d.attr("source.address") + ":" + d.attr("source.port"),
                    d.attr("destination.address") + ":" + d.attr("destination.port"));
            for (OtlpReceiver.Received s : spans) {
                if (s.traceId().equals(d.traceId())) {
                    assertEquals(endpoints, Set.of(s.attr("source.address") + ":" + s.attr("source.port"),
                            s.attr("destination.address") + ":" + s.attr("destination.port")), s.toString());
                }
            }
        }
    }
}
