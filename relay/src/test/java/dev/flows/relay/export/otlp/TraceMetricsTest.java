package dev.flows.relay.export.otlp;

import static dev.flows.proto.flow.TraceObservationPoint.FROM_ENDPOINT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.relay.export.metrics.MetricsConfig;
import dev.flows.relay.export.metrics.RelayMetrics;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Trace loss where an operator looks: the relay's /metrics (the Prometheus exporter's real HTTP server). */
class TraceMetricsTest {
    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static double sample(String body, String prefix, String label) {
        return body.lines().filter(l -> l.startsWith(prefix) && l.contains(label)).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(prefix + " " + label + " missing in\n" + body));
    }

    @Test
    void spansExportedUnsampledAndLostAreOnMetrics() throws Exception {
        MetricsConfig mc = new MetricsConfig();
        int metricsPort = freePort();
        new CommandLine(mc).parseArgs("--metrics-listen", "127.0.0.1:" + metricsPort);
        mc.validate();
        RelayMetrics metrics = RelayMetrics.start(mc);
        // nothing listens there: every span that leaves the queue fails
        TraceExporter e = TraceExporterTest.exporter("http://127.0.0.1:" + freePort(), "--otlp-queue", "4", "--otlp-batch-size", "4",
                "--otlp-timeout", "1s", "--otlp-sampling-ratio", "1");
        try {
            metrics.observeTraces(e::stats);
            for (int i = 0; i < 40; i++) {
                TraceExporterTest.send(e, TestFlows.tcp(TraceExporterTest.T0 + i, "node-a", FROM_ENDPOINT, false, 30000 + i, "SYN"));
            }
            e.close();
            TraceExporter.Stats s = e.stats();
            assertEquals(40, s.failed() + s.queueFull(), s.toString());
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertEquals(s.failed(), sample(body, "flows_traces_spans_dropped_total{", "reason=\"export_failed\""));
            assertEquals(s.queueFull(), sample(body, "flows_traces_spans_dropped_total{", "reason=\"queue_full\""));
            assertTrue(s.queueFull() > 0 && s.failed() > 0, s.toString());
            assertEquals(0, sample(body, "flows_traces_spans_exported_total", ""));
            assertEquals(0, sample(body, "flows_traces_spans_unsampled_total", ""));
            assertEquals(0, sample(body, "flows_traces_connections_evicted_total", ""));
            assertEquals(0, sample(body, "flows_traces_flows_without_address_total", ""));
        } finally {
            metrics.close();
        }
    }
}
