package dev.flows.relay.export.otlp;

import static dev.flows.proto.flow.TraceObservationPoint.FROM_ENDPOINT;
import static dev.flows.proto.flow.TraceObservationPoint.FROM_NETWORK;
import static dev.flows.proto.flow.TraceObservationPoint.TO_ENDPOINT;
import static dev.flows.proto.flow.TraceObservationPoint.TO_NETWORK;
import static dev.flows.relay.export.otlp.TestFlows.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.observer.GetFlowsResponse;
import io.opentelemetry.proto.trace.v1.Status;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The trace exporter against a real OTLP receiver (gRPC or HTTP/protobuf on loopback). */
class TraceExporterTest {
    static final long MS = 1_000_000L;
    static final long T0 = 1_700_000_000_000L * MS;

    OtlpReceiver receiver;

    @AfterEach
    void stop() throws Exception {
        if (receiver != null) {
            receiver.close();
        }
    }

    static TraceExporter exporter(String endpoint, String... more) {
        List<String> args = new ArrayList<>(List.of("--otlp-endpoint", endpoint, "--otlp-schedule-delay", "50ms"));
        args.addAll(List.of(more));
        return TraceExporter.start(TracesConfigTest.config(args.toArray(String[]::new)));
    }

    static void send(TraceExporter e, Flow... flows) {
        for (Flow f : flows) {
            e.export(GetFlowsResponse.newBuilder().setFlow(f).setNodeName(f.getNodeName()).setTime(f.getTime()).build());
        }
    }

    /** One connection frontend → catalog across the nodes: SYN at four points, the SYN-ACK at two. */
    static Flow[] crossNode(long t, int port) {
        return new Flow[] {
            tcp(t, "node-a", FROM_ENDPOINT, false, port, "SYN"),
            tcp(t + 1000, "node-a", TO_NETWORK, false, port, "SYN"),
            tcp(t + 2000, "node-b", FROM_NETWORK, false, port, "SYN"),
            tcp(t + 3000, "node-b", TO_ENDPOINT, false, port, "SYN"),
            tcp(t + 4000, "node-b", FROM_ENDPOINT, true, port, "SYN,ACK"),
            tcp(t + 5000, "node-a", TO_ENDPOINT, true, port, "SYN,ACK"),
        };
    }

    static Map<String, List<OtlpReceiver.Received>> byTrace(List<OtlpReceiver.Received> spans) {
        return spans.stream().collect(Collectors.groupingBy(OtlpReceiver.Received::traceId, TreeMap::new, Collectors.toList()));
    }

    @Test
    void aCrossNodeConnectionIsOneTreeWithSpansFromBothNodes() throws Exception {
        receiver = OtlpReceiver.grpc(0, true);
        TraceExporter e = exporter(receiver.endpoint(), "--otlp-header", "x-tenant=lab");
        send(e, crossNode(T0, 40000));
        e.close();
        assertEquals("lab", receiver.lastHeader("x-tenant"), "--otlp-header goes out as gRPC metadata");

        List<OtlpReceiver.Received> spans = receiver.spans();
        assertEquals(1, byTrace(spans).size(), "one trace: " + spans);
        assertEquals(List.of("from-endpoint", "to-network", "from-network", "to-endpoint", "from-endpoint", "to-endpoint"),
                spans.stream().sorted((x, y) -> Long.compare(x.startNanos(), y.startNanos())).map(OtlpReceiver.Received::name).toList());
        assertEquals(Set.of("node-a", "node-b"), spans.stream().map(s -> s.attr("k8s.node.name")).collect(Collectors.toSet()));
        OtlpReceiver.Received root = spans.stream().filter(s -> s.parentSpanId().isEmpty()).findFirst().orElseThrow();
        assertEquals(T0, root.startNanos());
        assertEquals(T0, root.endNanos(), "a flow is an instant");
        for (OtlpReceiver.Received s : spans) {
            if (s != root) {
                assertEquals(root.spanId(), s.parentSpanId(), "later spans hang under the connection's first: " + s);
            }
            assertEquals("flows-relay", s.serviceName());
            assertEquals(Status.StatusCode.STATUS_CODE_UNSET, s.status());
        }
        Map<String, Object> a = root.attributes();
        assertEquals("tcp", a.get("network.transport"));
        assertEquals("ipv4", a.get("network.type"));
        assertEquals(TestFlows.FRONTEND, a.get("source.address"));
        assertEquals(40000L, a.get("source.port"));
        assertEquals(TestFlows.CATALOG, a.get("destination.address"));
        assertEquals(8080L, a.get("destination.port"));
        assertEquals("frontend-6b8f9c7d5-q2x7k", a.get("k8s.pod.name"), "the pod at from-endpoint is the source");
        assertEquals("shop", a.get("k8s.namespace.name"));
        assertEquals("node-a", a.get("k8s.node.name"));
        assertEquals("FORWARDED", a.get("flows.verdict"));
        assertEquals("FROM_ENDPOINT", a.get("flows.trace_observation_point"));
        assertEquals(false, a.get("flows.is_reply"));
        assertEquals("SYN", a.get("flows.tcp_flags"));
        assertEquals("catalog-7f6d8c9b5-p8n3r", a.get("flows.destination.pod"));
        OtlpReceiver.Received atCatalog = spans.stream().filter(s -> s.name().equals("to-endpoint") && s.attr("k8s.node.name").equals("node-b"))
                .findFirst().orElseThrow();
        assertEquals("catalog-7f6d8c9b5-p8n3r", atCatalog.attr("k8s.pod.name"), "the pod at to-endpoint is the destination");
        OtlpReceiver.Received reply = spans.stream().filter(s -> s.name().equals("from-endpoint") && s.attr("k8s.node.name").equals("node-b"))
                .findFirst().orElseThrow();
        assertEquals(true, reply.attributes().get("flows.is_reply"));
        assertEquals("catalog-7f6d8c9b5-p8n3r", reply.attr("k8s.pod.name"));
        assertEquals(new TraceExporter.Stats(0, 6, 0, 6, 0, 0, 0, 0), e.stats());
    }

    @Test
    void aDenialIsExportedWithErrorStatusEvenWhenNothingElseIsSampled() throws Exception {
        receiver = OtlpReceiver.grpc(0, true);
        TraceExporter e = exporter(receiver.endpoint(), "--otlp-sampling-ratio", "0");
        send(e, crossNode(T0, 40000));
        send(e, tcp(T0 + 10 * MS, "node-a", FROM_ENDPOINT, false, 40001, "SYN"), TestFlows.denyingVerdict(T0 + 11 * MS, 40001),
                TestFlows.policyDrop(T0 + 11 * MS + 1, 40001));
        // no addresses, no connection: no span, but counted
        send(e, Flow.newBuilder().setNodeName("node-a").setTime(Timestamps.fromNanos(T0 + 12 * MS)).build());
        e.close();

        List<OtlpReceiver.Received> spans = receiver.spans();
        assertEquals(List.of("policy-verdict", "drop"), spans.stream().map(OtlpReceiver.Received::name).toList(),
                "only the denial, verdict then drop: " + spans);
        assertEquals(1, byTrace(spans).size(), "both in the denied connection's trace");
        for (OtlpReceiver.Received d : spans) {
            assertEquals(Status.StatusCode.STATUS_CODE_ERROR, d.status());
            assertEquals("POLICY_DENIED", d.statusMessage());
            assertEquals("DROPPED", d.attr("flows.verdict"));
            assertEquals("POLICY_DENIED", d.attr("flows.drop_reason"));
            assertEquals(List.of("shop/catalog-deny-frontend"), d.attributes().get("flows.policies"));
            assertEquals("INGRESS", d.attr("flows.traffic_direction"));
            assertEquals("catalog-7f6d8c9b5-p8n3r", d.attr("k8s.pod.name"), "denied at catalog's ingress");
            assertEquals("node-b", d.attr("k8s.node.name"));
            assertEquals(40001L, d.attributes().get("source.port"));
        }
        assertEquals(new TraceExporter.Stats(1, 2, 7, 2, 0, 0, 0, 0), e.stats());
    }

    @Test
    void samplingKeepsOrLeavesWholeConnections() throws Exception {
        receiver = OtlpReceiver.grpc(0, true);
        TraceExporter e = exporter(receiver.endpoint(), "--otlp-sampling-ratio", "0.5");
        int connections = 400;
        for (int i = 0; i < connections; i++) {
            send(e, crossNode(T0 + i * MS, 30000 + i));
        }
        e.close();

        Map<String, List<OtlpReceiver.Received>> traces = byTrace(receiver.spans());
        for (List<OtlpReceiver.Received> t : traces.values()) {
            assertEquals(6, t.size(), "a sampled connection has all its spans: " + t);
        }
        // binomial(400, 0.5): 200 +- 10; outside 140..260 is a 6-sigma event, not chance
        assertTrue(traces.size() > 140 && traces.size() < 260, traces.size() + " of " + connections + " connections sampled");
        TraceExporter.Stats s = e.stats();
        assertEquals(6L * traces.size(), s.sampled());
        assertEquals(6L * connections, s.sampled() + s.unsampled());
        assertEquals(s.sampled(), s.exported());
    }

    @Test
    void httpProtobufDeliversTheSameSpans() throws Exception {
        receiver = OtlpReceiver.http();
        // the bare address: the exporter adds /v1/traces
        TraceExporter e = exporter("http://127.0.0.1:" + receiver.port(), "--otlp-protocol", "http/protobuf",
                "--otlp-header", "x-tenant=lab");
        send(e, crossNode(T0, 40000));
        send(e, TestFlows.policyDrop(T0 + 10 * MS, 40001));
        e.close();

        Map<String, List<OtlpReceiver.Received>> traces = byTrace(receiver.spans());
        assertEquals(2, traces.size(), "the connection and the drop: " + traces);
        assertTrue(traces.values().stream().anyMatch(t -> t.size() == 6 && t.stream().allMatch(s -> s.attr("network.transport").equals("tcp"))));
        assertTrue(traces.values().stream().anyMatch(t -> t.size() == 1 && t.get(0).status() == Status.StatusCode.STATUS_CODE_ERROR));
        assertEquals("lab", receiver.lastHeader("x-tenant"));
        assertEquals(7, e.stats().exported());
    }

    @Test
    void spansThatCannotBeDeliveredAreCountedAsLost() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        TraceExporter e = exporter("http://127.0.0.1:" + closed, "--otlp-queue", "8", "--otlp-batch-size", "8", "--otlp-timeout", "1s");
        for (int i = 0; i < 50; i++) {
            send(e, crossNode(T0 + i * MS, 30000 + i));
        }
        long t0 = System.nanoTime();
        e.close();
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20), "close waits at most about the export timeout per batch");
        TraceExporter.Stats s = e.stats();
        assertEquals(300, s.sampled());
        assertEquals(0, s.exported());
        assertTrue(s.failed() > 0, "unreachable receiver: " + s);
        assertTrue(s.queueFull() > 0, "8 spans of room for 300: " + s);
        assertEquals(300, s.failed() + s.queueFull(), "every span is either failed or dropped, none unaccounted: " + s);
    }
}
