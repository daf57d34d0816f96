package dev.flows.relay.export.metrics;

import dev.flows.observer.events.DropReasons;
import dev.flows.observer.events.ReservedIdentity;
import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.LostEvent;
import dev.flows.proto.flow.LostEventSource;
import dev.flows.proto.flow.Policy;
import dev.flows.proto.flow.TraceObservationPoint;
import dev.flows.proto.flow.Verdict;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.relay.export.FlowExporter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The metric handlers: Hubble's families, prefixed {@code flows_}, fed from the relay's merged
 * stream as a {@link FlowExporter}. Each enabled family has its context labels and a hard bound on
 * series ({@link BoundedCounter}). Families whose events the datapath emits only on some paths
 * (drops, policy verdicts, lost events) start with zero-valued series for the values it can emit,
 * so dashboards show zero rather than "no data" until the first event.
 */
public final class FlowMetrics implements FlowExporter {
    /** The families that can be enabled, with their own labels (context labels follow these). */
    public enum Family {
        FLOW("flow", "flows_flows_processed", "Flows processed, by event type, subtype and verdict.", "type", "subtype", "verdict"),
        DROP("drop", "flows_drop", "Dropped packets, by drop reason and protocol.", "reason", "protocol"),
        POLICY("policy", "flows_policy_verdicts", "Policy verdicts, by direction, match type, action and deciding policy.",
                "direction", "match", "action", "policy"),
        TCP("tcp", "flows_tcp_flags", "TCP packets by flag (SYN, SYN-ACK, FIN, RST) and IP family.", "flag", "family"),
        PORT_DISTRIBUTION("port-distribution", "flows_port_distribution", "Flows by destination protocol and port (replies excluded).",
                "protocol", "port"),
        SERVICE("service", "flows_service_translations", "Flows sent to a service, by service and the backend that took them.",
                "service", "backend"),
        ICMP("icmp", "flows_icmp", "ICMP messages by IP family and type.", "family", "type"),
        FLOWS_TO_WORLD("flows-to-world", "flows_flows_to_world", "Flows leaving the cluster (to reserved:world), by protocol and verdict.",
                "protocol", "verdict");

        final String option;
        final String metric;
        final String description;
        final List<String> labels;

        Family(String option, String metric, String description, String... labels) {
            this.option = option;
            this.metric = metric;
            this.description = description;
            this.labels = List.of(labels);
        }

        /** The name used in {@code --metrics}. */
        public String option() {
            return option;
        }
    }

    static final List<String> PROTOCOLS = List.of("TCP", "UDP", "ICMPv4");
    static final List<String> MATCHES = List.of("none", "l3-only", "l3-l4", "l4-only", "all");

    private final Map<Family, BoundedCounter> counters = new EnumMap<>(Family.class);
    private final Map<Family, Context> contexts = new EnumMap<>(Family.class);
    private final BoundedCounter lost;
    private final AtomicLong lastFlowNanos = new AtomicLong();

    /**
     * @param families the enabled families and their context
     * @param seriesLimit the most series per family; more go to its overflow series
     * @param wallNanos the clock the export lag is measured with
     */
    public FlowMetrics(Meter meter, Map<Family, Context> families, int seriesLimit, LongSupplier wallNanos) {
        LongCounter overflow = meter.counterBuilder("flows_metrics_overflow")
                .setDescription("Increments added to a family's overflow series because it reached its series limit.").build();
        for (Map.Entry<Family, Context> e : families.entrySet()) {
            Family f = e.getKey();
            List<String> labels = new ArrayList<>(f.labels);
            labels.addAll(e.getValue().names());
            counters.put(f, new BoundedCounter(meter, f.option, f.metric, f.description, labels, seriesLimit, overflow));
            contexts.put(f, e.getValue());
        }
        lost = new BoundedCounter(meter, "lost-events", "flows_lost_events", "Events lost before they became flows, by where they were lost.",
                List.of("source"), seriesLimit, overflow);
        // Zero with every label present so that a counter exists before its first increment.
        overflow.add(0, Attributes.of(AttributeKey.stringKey("family"), "none"));
        meter.gaugeBuilder("flows_export_lag_seconds")
                .setDescription("How far behind the wall clock the newest flow the metrics exporter processed is.")
                .buildWithCallback(m -> {
                    long last = lastFlowNanos.get();
                    if (last > 0) {
                        m.record(Math.max(0, wallNanos.getAsLong() - last) / 1e9, Attributes.of(AttributeKey.stringKey("exporter"), name()));
                    }
                });
        zeroSeries();
    }

    private void zeroSeries() {
        for (LostEventSource s : LostEventSource.values()) {
            if (s != LostEventSource.UNRECOGNIZED && s != LostEventSource.UNKNOWN_LOST_EVENT_SOURCE) {
                lost.zero(lower(s.name()));
            }
        }
        BoundedCounter drop = counters.get(Family.DROP);
        if (drop != null) {
            for (DropReason r : DropReasons.DATAPATH) { // every reason the datapath emits is zero from the start
                for (String p : PROTOCOLS) {
                    drop.zero(withContext(Family.DROP, r.name(), p));
                }
            }
        }
        BoundedCounter world = counters.get(Family.FLOWS_TO_WORLD);
        if (world != null) {
            for (String p : PROTOCOLS) {
                for (Verdict v : List.of(Verdict.FORWARDED, Verdict.DROPPED)) {
                    world.zero(withContext(Family.FLOWS_TO_WORLD, p, v.name()));
                }
            }
        }
        BoundedCounter service = counters.get(Family.SERVICE);
        if (service != null) {
            // Services are named by the flows themselves; until the first one, one empty series says "none yet".
            service.zero(withContext(Family.SERVICE, "", ""));
        }
        BoundedCounter policy = counters.get(Family.POLICY);
        if (policy != null) {
            for (String direction : List.of("ingress", "egress")) {
                for (String action : List.of("forwarded", "dropped", "audit")) {
                    policy.zero(withContext(Family.POLICY, direction, "l3-l4", action, ""));
                }
            }
        }
    }

    /** Own labels followed by empty context labels, for zero-valued series. */
    private String[] withContext(Family f, String... own) {
        String[] v = new String[own.length + contexts.get(f).names().size()];
        System.arraycopy(own, 0, v, 0, own.length);
        java.util.Arrays.fill(v, own.length, v.length, "");
        return v;
    }

    @Override
    public String name() {
        return "metrics";
    }

    @Override
    public void export(GetFlowsResponse r) {
        switch (r.getResponseTypesCase()) {
            case FLOW -> flow(r.getFlow());
            case LOST_EVENTS -> lostEvents(r.getLostEvents());
            default -> { }
        }
    }

    private void lostEvents(LostEvent e) {
        lost.add(e.getNumEventsLost(), lower(e.getSource().name()));
    }

    /** Counts one flow in every enabled family it belongs to. */
    public void flow(Flow f) {
        if (f.hasTime()) {
            lastFlowNanos.set(f.getTime().getSeconds() * 1_000_000_000L + f.getTime().getNanos());
        }
        int type = f.getEventType().getType();
        String protocol = protocol(f);
        boolean reply = f.hasIsReply() && f.getIsReply().getValue();
        count(Family.FLOW, f, typeName(type), subtype(f, type), f.getVerdict().name());
        if (f.getVerdict() == Verdict.DROPPED) {
            count(Family.DROP, f, f.getDropReasonDesc().name(), protocol);
        }
        if (type == 5) {
            count(Family.POLICY, f, lower(f.getTrafficDirection().name()), match(f.getPolicyMatchType()),
                    lower(f.getVerdict().name()), policy(f));
        }
        if (f.getL4().hasTCP() && f.getL4().getTCP().hasFlags()) {
            var flags = f.getL4().getTCP().getFlags();
            String family = f.getIP().getIpVersion().name();
            if (flags.getSYN()) {
                count(Family.TCP, f, flags.getACK() ? "SYN-ACK" : "SYN", family);
            }
            if (flags.getFIN()) {
                count(Family.TCP, f, "FIN", family);
            }
            if (flags.getRST()) {
                count(Family.TCP, f, "RST", family);
            }
        }
        int port = destinationPort(f);
        if (port > 0 && !reply) {
            count(Family.PORT_DISTRIBUTION, f, protocol, Integer.toString(port));
        }
        if (!f.getDestinationService().getName().isEmpty() && !reply) {
            count(Family.SERVICE, f, f.getDestinationService().getNamespace() + "/" + f.getDestinationService().getName(),
                    backend(f.getDestination(), f.getIP().getDestination(), port));
        }
        if (f.getL4().hasICMPv4()) {
            count(Family.ICMP, f, "IPv4", Integer.toString(f.getL4().getICMPv4().getType()));
        } else if (f.getL4().hasICMPv6()) {
            count(Family.ICMP, f, "IPv6", Integer.toString(f.getL4().getICMPv6().getType()));
        }
        if (!reply && isWorld(f.getDestination())) {
            count(Family.FLOWS_TO_WORLD, f, protocol, f.getVerdict().name());
        }
    }

    private void count(Family family, Flow f, String... own) {
        BoundedCounter c = counters.get(family);
        if (c == null) {
            return;
        }
        String[] ctx = contexts.get(family).values(f);
        if (ctx.length == 0) {
            c.add(1, own);
            return;
        }
        String[] v = new String[own.length + ctx.length];
        System.arraycopy(own, 0, v, 0, own.length);
        System.arraycopy(ctx, 0, v, own.length, ctx.length);
        c.add(1, v);
    }

    private static String typeName(int type) {
        return switch (type) {
            case 1 -> "Drop";
            case 4 -> "Trace";
            case 5 -> "PolicyVerdict";
            case 129 -> "L7";
            default -> "Unknown";
        };
    }

    private static String subtype(Flow f, int type) {
        if (type != 4 || f.getTraceObservationPoint() == TraceObservationPoint.UNRECOGNIZED) {
            return "";
        }
        return lower(f.getTraceObservationPoint().name()).replace('_', '-');
    }

    /** Hubble's names for policy_match_type (cilium monitor api: PolicyMatchType). */
    private static String match(int m) {
        return m < MATCHES.size() ? MATCHES.get(m) : "other";
    }

    private static String policy(Flow f) {
        for (List<Policy> ps : List.of(f.getIngressDeniedByList(), f.getEgressDeniedByList(), f.getIngressAllowedByList(),
                f.getEgressAllowedByList())) {
            if (!ps.isEmpty()) {
                return ps.get(0).getNamespace() + "/" + ps.get(0).getName();
            }
        }
        return "";
    }

    private static String protocol(Flow f) {
        var l4 = f.getL4();
        return switch (l4.getProtocolCase()) {
            case TCP -> "TCP";
            case UDP -> "UDP";
            case ICMPV4 -> "ICMPv4";
            case ICMPV6 -> "ICMPv6";
            case SCTP -> "SCTP";
            default -> "unknown";
        };
    }

    private static int destinationPort(Flow f) {
        var l4 = f.getL4();
        return switch (l4.getProtocolCase()) {
            case TCP -> l4.getTCP().getDestinationPort();
            case UDP -> l4.getUDP().getDestinationPort();
            case SCTP -> l4.getSCTP().getDestinationPort();
            default -> 0;
        };
    }

    private static String backend(Endpoint e, String ip, int port) {
        String who = e.getPodName().isEmpty() ? ip : e.getNamespace() + "/" + e.getPodName();
        return port > 0 ? who + ":" + port : who;
    }

    private static boolean isWorld(Endpoint e) {
        return e.getIdentity() == ReservedIdentity.WORLD.id() || e.getLabelsList().contains(ReservedIdentity.WORLD.label());
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** Series held per family (the overflow series not included), for status and tests. */
    public Map<String, Integer> series() {
        Map<String, Integer> m = new java.util.LinkedHashMap<>();
        counters.values().forEach(c -> m.put(c.family(), c.series()));
        m.put(lost.family(), lost.series());
        return m;
    }

    @Override
    public void close() {
        // The meter provider, owned by RelayMetrics, flushes and closes.
    }
}
