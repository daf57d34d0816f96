package dev.flows.relay;

import static dev.flows.proto.flow.TraceObservationPoint.FROM_ENDPOINT;
import static dev.flows.proto.flow.TraceObservationPoint.FROM_NETWORK;
import static dev.flows.proto.flow.TraceObservationPoint.TO_ENDPOINT;
import static dev.flows.proto.flow.TraceObservationPoint.TO_NETWORK;
import static dev.flows.relay.export.otlp.TestFlows.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.proto.flow.Flow;
import dev.flows.proto.observer.ObserverGrpc;
import dev.flows.proto.observer.ServerStatusRequest;
import dev.flows.relay.export.otlp.OtlpReceiver;
import dev.flows.relay.export.otlp.TestFlows;
import dev.flows.relay.export.otlp.TraceExporter;
import dev.flows.relay.export.otlp.TracesConfig;
import io.grpc.ManagedChannel;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The trace exporter in a real relay: two collectors serve the Observer API over loopback, the
 * relay merges them and its export hub feeds the trace exporter, which sends OTLP over gRPC to a
 * receiver. Sampling is 0: only the drop may arrive, and it must.
 */
class TracesRelayTest {
    final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    @Test
    void aDenialSeenOnAnotherNodeIsExportedAsAnErrorSpanWhenNothingElseIsSampled() throws Exception {
        OtlpReceiver receiver = OtlpReceiver.grpc(0, true);
        closing.add(receiver);
        FakeCollector a = new FakeCollector("node-a", 0, 1023);
        closing.add(a);
        FakeCollector b = new FakeCollector("node-b", 0, 1023);
        closing.add(b);
        RelayConfig config = new RelayConfig();
        new CommandLine(config).parseArgs("--listen", "127.0.0.1:0", "--disable-server-tls", "--disable-client-tls", "--collectors", "node-a=" + a.address() + ",node-b=" + b.address(),
                "--sort-window", "200ms", "--quiet-grace", "50ms", "--health-interval", "100ms");
        config.validate();
        TracesConfig traces = new TracesConfig();
        new CommandLine(traces).parseArgs("--otlp-endpoint", receiver.endpoint(), "--otlp-sampling-ratio", "0",
                "--otlp-schedule-delay", "50ms");
        traces.validate();
        TraceExporter exporter = TraceExporter.start(traces);
        Relay relay = Relay.start(config, List.of(exporter));
        closing.add(relay);
        awaitConnected(relay, 2);

        long t = RelayTestClock.wallNanos();
        // a forwarded connection (node-a, then node-b) and a denied one: its SYN leaves node-a, dies at catalog on node-b
        List<Flow> onA = List.of(tcp(t, "node-a", FROM_ENDPOINT, false, 40000, "SYN"), tcp(t + 1000, "node-a", TO_NETWORK, false, 40000, "SYN"),
                tcp(t + 10_000, "node-a", FROM_ENDPOINT, false, 40001, "SYN"), tcp(t + 11_000, "node-a", TO_NETWORK, false, 40001, "SYN"));
        List<Flow> onB = List.of(tcp(t + 2000, "node-b", FROM_NETWORK, false, 40000, "SYN"), tcp(t + 3000, "node-b", TO_ENDPOINT, false, 40000, "SYN"),
                tcp(t + 12_000, "node-b", FROM_NETWORK, false, 40001, "SYN"), TestFlows.policyDrop(t + 13_000, 40001));
        onA.forEach(a.buffer::append);
        onB.forEach(b.buffer::append);

        List<OtlpReceiver.Received> spans = receiver.await(s -> !s.isEmpty(), 10, TimeUnit.SECONDS);
        // the hub has taken all eight flows once the drop (the last in time) is out; give a stray span the schedule delay to show
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (exporter.stats().sampled() + exporter.stats().unsampled() < 8 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(300);
        spans = receiver.spans();
        assertEquals(1, spans.size(), "ratio 0: the drop alone: " + spans);
        OtlpReceiver.Received drop = spans.get(0);
        assertEquals("drop", drop.name());
        assertEquals(Status.StatusCode.STATUS_CODE_ERROR, drop.status());
        assertEquals("POLICY_DENIED", drop.attr("flows.drop_reason"));
        assertEquals("DROPPED", drop.attr("flows.verdict"));
        assertEquals("node-b", drop.attr("k8s.node.name"));
        assertEquals(t + 13_000, drop.startNanos());
        assertTrue(!drop.parentSpanId().isEmpty(), "the drop hangs under its connection's first span (the SYN leaving node-a)");
        TraceExporter.Stats s = exporter.stats();
        assertEquals(1, s.sampled());
        assertEquals(7, s.unsampled());
        assertEquals(1, s.exported());
    }

    private static void awaitConnected(Relay relay, int nodes) throws InterruptedException {
        ManagedChannel ch = Relay.channel("127.0.0.1:" + relay.port());
        try {
            ObserverGrpc.ObserverBlockingStub stub = ObserverGrpc.newBlockingStub(ch);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (stub.withDeadlineAfter(5, TimeUnit.SECONDS).serverStatus(ServerStatusRequest.getDefaultInstance())
                    .getNumConnectedNodes().getValue() < nodes) {
                assertTrue(System.nanoTime() < deadline, "relay did not connect to " + nodes + " collectors");
                Thread.sleep(50);
            }
        } finally {
            ch.shutdownNow();
        }
    }
}
