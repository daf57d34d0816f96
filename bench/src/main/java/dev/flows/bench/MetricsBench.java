package dev.flows.bench;

import dev.flows.proto.flow.CiliumEventType;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.IPVersion;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.TCP;
import dev.flows.proto.flow.TCPFlags;
import dev.flows.proto.flow.TraceObservationPoint;
import dev.flows.proto.flow.Verdict;
import dev.flows.relay.export.metrics.Context;
import dev.flows.relay.export.metrics.FlowMetrics;
import dev.flows.relay.export.metrics.MetricsConfig;
import dev.flows.relay.export.metrics.RelayMetrics;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * The metrics path's cost per flow: {@link FlowMetrics#flow} (every family on) on one thread, over
 * flows between 100 pods in 4 namespaces to 8 ports, so a family holds a few thousand series.
 * Once without context labels and once with the default context (namespace and pod both sides).
 */
final class MetricsBench {
    private static final int FLOWS = 1 << 16;
    /** Above the distinct label sets of any family here: the cost of counting, not of overflowing. */
    private static final int SERIES = 1 << 16;
    private final PrintStream out;

    MetricsBench(PrintStream out) {
        this.out = out;
    }

    void run() {
        Flow[] flows = new Flow[FLOWS];
        for (int i = 0; i < FLOWS; i++) {
            int src = i % 100;
            int dst = (i / 100) % 100;
            flows[i] = Flow.newBuilder().setVerdict(Verdict.FORWARDED).setEventType(CiliumEventType.newBuilder().setType(4))
                    .setTraceObservationPoint(i % 2 == 0 ? TraceObservationPoint.FROM_ENDPOINT : TraceObservationPoint.TO_ENDPOINT)
                    .setIP(IP.newBuilder().setSource("10.244.0." + src).setDestination("10.244.1." + dst).setIpVersion(IPVersion.IPv4))
                    .setL4(Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(30000 + i % 1000).setDestinationPort(8000 + i % 8)
                            .setFlags(TCPFlags.newBuilder().setSYN(i % 4 == 0).setACK(true))))
                    .setSource(Endpoint.newBuilder().setNamespace("ns-" + src % 4).setPodName("pod-" + src).setIdentity(1000 + src))
                    .setDestination(Endpoint.newBuilder().setNamespace("ns-" + dst % 4).setPodName("pod-" + dst).setIdentity(1000 + dst))
                    .build();
        }
        out.println("metrics path (FlowMetrics.flow, every family, one thread, " + FLOWS + " distinct flows cycled)");
        double none = measure(flows, "");
        double ctx = measure(flows, MetricsConfig.DEFAULT_CONTEXT);
        out.printf("  no context labels      %7.0f ns/flow  %,10.0f flows/s%n", none, 1e9 / none);
        out.printf("  default context        %7.0f ns/flow  %,10.0f flows/s  (x%.2f the cost without context)%n", ctx, 1e9 / ctx, ctx / none);
    }

    /** Median ns per flow over 9 passes, after 5 warm-up passes. */
    private static double measure(Flow[] flows, String context) {
        MetricReader reader = InMemoryMetricReader.create();
        try (SdkMeterProvider provider = RelayMetrics.providerBuilder(SERIES).registerMetricReader(reader).build()) {
            Map<FlowMetrics.Family, Context> families = new EnumMap<>(FlowMetrics.Family.class);
            for (FlowMetrics.Family f : FlowMetrics.Family.values()) {
                families.put(f, Context.parse("--metrics", context));
            }
            FlowMetrics m = new FlowMetrics(provider.get("bench"), families, SERIES, System::nanoTime);
            double[] passes = new double[9];
            for (int p = -5; p < passes.length; p++) {
                long t0 = System.nanoTime();
                for (Flow f : flows) {
                    m.flow(f);
                }
                long ns = System.nanoTime() - t0;
                if (p >= 0) {
                    passes[p] = (double) ns / flows.length;
                }
            }
            Arrays.sort(passes);
            return passes[passes.length / 2];
        }
    }
}
