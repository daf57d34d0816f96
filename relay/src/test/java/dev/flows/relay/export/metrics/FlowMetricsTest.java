package dev.flows.relay.export.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.observer.config.ConfigException;
import dev.flows.proto.flow.CiliumEventType;
import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.IPVersion;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.LostEvent;
import dev.flows.proto.flow.LostEventSource;
import dev.flows.proto.flow.Policy;
import dev.flows.proto.flow.Service;
import dev.flows.proto.flow.TCP;
import dev.flows.proto.flow.TCPFlags;
import dev.flows.proto.flow.TraceObservationPoint;
import dev.flows.proto.flow.TrafficDirection;
import dev.flows.proto.flow.Verdict;
import dev.flows.proto.flow.Workload;
import dev.flows.proto.observer.GetFlowsResponse;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FlowMetricsTest {
    private final InMemoryMetricReader reader = InMemoryMetricReader.create();
    private final SdkMeterProvider provider = RelayMetrics.providerBuilder(LIMIT).registerMetricReader(reader).build();
    /** Above the SDK's default cardinality limit (2000), so the test shows the SDK never merges before us. */
    private static final int LIMIT = 2500;

    @AfterEach
    void close() {
        provider.close();
    }

    private FlowMetrics metrics(int limit, Map<FlowMetrics.Family, String> families) {
        Map<FlowMetrics.Family, Context> m = new EnumMap<>(FlowMetrics.Family.class);
        families.forEach((f, opts) -> m.put(f, Context.parse("--metrics", opts)));
        return new FlowMetrics(provider.get("test"), m, limit, () -> 0);
    }

    /** Metric name → (rendered attributes → value) for long sums. */
    private Map<String, Map<String, Long>> collect() {
        Map<String, Map<String, Long>> out = new HashMap<>();
        for (MetricData d : reader.collectAllMetrics()) {
            if (d.getType() != io.opentelemetry.sdk.metrics.data.MetricDataType.LONG_SUM) {
                continue;
            }
            Map<String, Long> points = new TreeMap<>();
            for (LongPointData p : d.getLongSumData().getPoints()) {
                points.put(render(p.getAttributes()), p.getValue());
            }
            out.put(d.getName(), points);
        }
        return out;
    }

    private static String render(Attributes a) {
        return a.asMap().entrySet().stream().map(e -> e.getKey().getKey() + "=" + e.getValue()).sorted()
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static Endpoint pod(String ns, String name, String app) {
        return Endpoint.newBuilder().setNamespace(ns).setPodName(name).setIdentity(1234).addLabels("k8s:app=" + app)
                .addWorkloads(Workload.newBuilder().setName(app).setKind("Deployment")).build();
    }

    private static Flow.Builder tcp(String srcPod, String dstPod, int port) {
        return Flow.newBuilder().setVerdict(Verdict.FORWARDED)
                .setEventType(CiliumEventType.newBuilder().setType(4))
                .setTraceObservationPoint(TraceObservationPoint.TO_ENDPOINT)
                .setIP(IP.newBuilder().setSource("10.244.0.5").setDestination("10.244.1.7").setIpVersion(IPVersion.IPv4))
                .setL4(Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(40000).setDestinationPort(port)
                        .setFlags(TCPFlags.newBuilder().setSYN(true))))
                .setSource(pod("shop", srcPod, "front")).setDestination(pod("db", dstPod, "pg"));
    }

    @Test
    void flowsProcessedByTypeSubtypeVerdictWithLabelsContext() {
        FlowMetrics m = metrics(100, Map.of(FlowMetrics.Family.FLOW, "labelsContext=source_namespace,destination_pod"));
        m.flow(tcp("a", "b", 5432).build());
        m.flow(tcp("a", "b", 5432).build());
        m.flow(tcp("a", "c", 5432).setVerdict(Verdict.DROPPED).build());

        Map<String, Long> processed = collect().get("flows_flows_processed");
        assertEquals(Map.of(
                "{destination_pod=b,source_namespace=shop,subtype=to-endpoint,type=Trace,verdict=FORWARDED}", 2L,
                "{destination_pod=c,source_namespace=shop,subtype=to-endpoint,type=Trace,verdict=DROPPED}", 1L), processed);
    }

    @Test
    void sourceAndDestinationContextTakeTheFirstNonEmptyOption() {
        FlowMetrics m = metrics(100, Map.of(FlowMetrics.Family.PORT_DISTRIBUTION,
                "sourceContext=workload|ip;destinationContext=pod-name|ip"));
        m.flow(tcp("a", "b", 80).build());
        Flow noPods = tcp("a", "b", 80).clearSource().clearDestination().build();
        m.flow(noPods);

        assertEquals(Map.of(
                "{destination=b,port=80,protocol=TCP,source=shop/front}", 1L,
                "{destination=10.244.1.7,port=80,protocol=TCP,source=10.244.0.5}", 1L),
                collect().get("flows_port_distribution"));
    }

    @Test
    void appIdentityAndReservedIdentityContexts() {
        FlowMetrics m = metrics(100, Map.of(FlowMetrics.Family.TCP, "sourceContext=app;destinationContext=reserved-identity|identity"));
        m.flow(tcp("a", "b", 80).setDestination(Endpoint.newBuilder().setIdentity(2).addLabels("reserved:world")).build());
        m.flow(tcp("a", "b", 80).build());
        assertEquals(Map.of(
                "{destination=world,family=IPv4,flag=SYN,source=front}", 1L,
                "{destination=1234,family=IPv4,flag=SYN,source=front}", 1L), collect().get("flows_tcp_flags"));
    }

    @Test
    void overTheSeriesLimitFlowsGoToTheOverflowSeriesAndAreCounted() {
        FlowMetrics m = metrics(3, Map.of(FlowMetrics.Family.PORT_DISTRIBUTION, ""));
        for (int port = 1; port <= 10; port++) {
            m.flow(tcp("a", "b", port).build());
            m.flow(tcp("a", "b", port).build());
        }
        Map<String, Map<String, Long>> all = collect();
        Map<String, Long> ports = all.get("flows_port_distribution");
        assertEquals(4, ports.size(), "3 series and the overflow series: " + ports);
        assertEquals(2L, ports.get("{port=1,protocol=TCP}"));
        assertEquals(14L, ports.get("{port=overflow,protocol=overflow}"), "7 ports over the limit, 2 flows each");
        assertEquals(20L, ports.values().stream().mapToLong(Long::longValue).sum(), "every flow counted once");
        assertEquals(14L, all.get("flows_metrics_overflow").get("{family=port-distribution}"));
        assertEquals(3, m.series().get("port-distribution"));
    }

    @Test
    void aLimitAboveTheSdkDefaultIsOursToEnforce() {
        FlowMetrics m = metrics(LIMIT, Map.of(FlowMetrics.Family.PORT_DISTRIBUTION, ""));
        for (int port = 1; port <= LIMIT + 100; port++) {
            m.flow(tcp("a", "b", port).build());
        }
        Map<String, Map<String, Long>> all = collect();
        Map<String, Long> ports = all.get("flows_port_distribution");
        assertEquals(LIMIT + 1, ports.size(), "every series of ours and the overflow series, none merged by the SDK");
        assertEquals(100L, ports.get("{port=overflow,protocol=overflow}"));
        assertEquals(100L, all.get("flows_metrics_overflow").get("{family=port-distribution}"));
    }

    @Test
    void dropsPolicyAndLostEventsExistAsZeroBeforeTheFirstEvent() {
        FlowMetrics m = metrics(100, Map.of(FlowMetrics.Family.DROP, "", FlowMetrics.Family.POLICY, "labelsContext=destination_namespace"));
        Map<String, Map<String, Long>> all = collect();
        assertEquals(0L, all.get("flows_drop").get("{protocol=TCP,reason=POLICY_DENIED}"));
        assertEquals(0L, all.get("flows_drop").get("{protocol=UDP,reason=SERVICE_BACKEND_NOT_FOUND}"));
        assertEquals(0L, all.get("flows_policy_verdicts").get("{action=dropped,destination_namespace=,direction=ingress,match=l3-l4,policy=}"));
        assertEquals(0L, all.get("flows_lost_events").get("{source=perf_event_ring_buffer}"));
        assertTrue(all.get("flows_drop").values().stream().allMatch(v -> v == 0));
    }

    @Test
    void dropsPolicyVerdictsServicesWorldAndLostEvents() {
        FlowMetrics m = metrics(100, Map.of(FlowMetrics.Family.DROP, "", FlowMetrics.Family.POLICY, "",
                FlowMetrics.Family.SERVICE, "", FlowMetrics.Family.FLOWS_TO_WORLD, ""));
        m.flow(tcp("a", "b", 80).setVerdict(Verdict.DROPPED).setDropReasonDesc(DropReason.POLICY_DENIED)
                .setEventType(CiliumEventType.newBuilder().setType(1)).build());
        m.flow(tcp("a", "b", 80).setEventType(CiliumEventType.newBuilder().setType(5)).setVerdict(Verdict.DROPPED)
                .setTrafficDirection(TrafficDirection.INGRESS).setPolicyMatchType(2)
                .addIngressDeniedBy(Policy.newBuilder().setNamespace("db").setName("only-api")).build());
        m.flow(tcp("a", "b", 5432).setDestinationService(Service.newBuilder().setNamespace("db").setName("pg")).build());
        m.flow(tcp("a", "b", 443).setDestination(Endpoint.newBuilder().setIdentity(2).addLabels("reserved:world")).build());
        m.export(GetFlowsResponse.newBuilder().setLostEvents(LostEvent.newBuilder()
                .setSource(LostEventSource.PERF_EVENT_RING_BUFFER).setNumEventsLost(7)).build());

        Map<String, Map<String, Long>> all = collect();
        assertEquals(1L, all.get("flows_drop").get("{protocol=TCP,reason=POLICY_DENIED}"));
        assertEquals(1L, all.get("flows_policy_verdicts").get("{action=dropped,direction=ingress,match=l3-l4,policy=db/only-api}"));
        assertEquals(Map.of("{backend=,service=}", 0L, "{backend=db/b:5432,service=db/pg}", 1L), all.get("flows_service_translations"));
        assertEquals(1L, all.get("flows_flows_to_world").get("{protocol=TCP,verdict=FORWARDED}"));
        assertEquals(6, all.get("flows_flows_to_world").size(), "zero series for each protocol and verdict: " + all.get("flows_flows_to_world"));
        assertEquals(7L, all.get("flows_lost_events").get("{source=perf_event_ring_buffer}"));
    }

    @Test
    void badOptionsAreRefusedByName() {
        ConfigException e = assertThrows(ConfigException.class, () -> Context.parse("--metrics drop", "sourceContext=pod|galaxy"));
        assertTrue(e.getMessage().contains("galaxy"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> Context.parse("--metrics drop", "labelsContext=source_planet"));
        assertTrue(e.getMessage().contains("source_planet"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> Context.parse("--metrics drop", "colour=red"));
        assertTrue(e.getMessage().contains("colour"), e.getMessage());
    }
}
