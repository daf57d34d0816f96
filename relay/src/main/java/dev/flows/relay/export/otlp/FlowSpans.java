package dev.flows.relay.export.otlp;

import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.IPVersion;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.Policy;
import dev.flows.proto.flow.SocketTranslationPoint;
import dev.flows.proto.flow.TCPFlags;
import dev.flows.proto.flow.TraceObservationPoint;
import dev.flows.proto.flow.TrafficDirection;
import dev.flows.proto.flow.Verdict;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanBuilder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * How one flow reads as a span: its name (the observation point or decision) and its attributes,
 * in OpenTelemetry's semantic conventions where they have a name ({@code network.*},
 * {@code source.*}, {@code destination.*}, {@code k8s.*}) and under {@code flows.*} for Hubble's own
 * fields. {@code k8s.pod.name} and {@code k8s.namespace.name} name the pod at the observation point
 * (the one whose veth or node saw the packet); both sides are also in {@code flows.source.*} and
 * {@code flows.destination.*}.
 */
final class FlowSpans {
    static final String DROP = "drop";
    static final String POLICY_VERDICT = "policy-verdict";
    static final String TRANSLATION = "translation";

    static final AttributeKey<String> NETWORK_TRANSPORT = AttributeKey.stringKey("network.transport");
    static final AttributeKey<String> NETWORK_TYPE = AttributeKey.stringKey("network.type");
    static final AttributeKey<String> SOURCE_ADDRESS = AttributeKey.stringKey("source.address");
    static final AttributeKey<Long> SOURCE_PORT = AttributeKey.longKey("source.port");
    static final AttributeKey<String> DESTINATION_ADDRESS = AttributeKey.stringKey("destination.address");
    static final AttributeKey<Long> DESTINATION_PORT = AttributeKey.longKey("destination.port");
    static final AttributeKey<String> K8S_NODE = AttributeKey.stringKey("k8s.node.name");
    static final AttributeKey<String> K8S_POD = AttributeKey.stringKey("k8s.pod.name");
    static final AttributeKey<String> K8S_NAMESPACE = AttributeKey.stringKey("k8s.namespace.name");
    static final AttributeKey<String> SOURCE_POD = AttributeKey.stringKey("flows.source.pod");
    static final AttributeKey<String> SOURCE_NAMESPACE = AttributeKey.stringKey("flows.source.namespace");
    static final AttributeKey<String> DESTINATION_POD = AttributeKey.stringKey("flows.destination.pod");
    static final AttributeKey<String> DESTINATION_NAMESPACE = AttributeKey.stringKey("flows.destination.namespace");
    static final AttributeKey<String> VERDICT = AttributeKey.stringKey("flows.verdict");
    static final AttributeKey<String> DROP_REASON = AttributeKey.stringKey("flows.drop_reason");
    static final AttributeKey<String> OBSERVATION_POINT = AttributeKey.stringKey("flows.trace_observation_point");
    static final AttributeKey<String> TRAFFIC_DIRECTION = AttributeKey.stringKey("flows.traffic_direction");
    static final AttributeKey<Boolean> IS_REPLY = AttributeKey.booleanKey("flows.is_reply");
    static final AttributeKey<String> SERVICE = AttributeKey.stringKey("flows.service");
    static final AttributeKey<String> TCP_FLAGS = AttributeKey.stringKey("flows.tcp_flags");
    static final AttributeKey<List<String>> POLICIES = AttributeKey.stringArrayKey("flows.policies");

    /** "from-endpoint", "to-network", ...: computed once, a span name per flow must not allocate. */
    private static final Map<TraceObservationPoint, String> POINT_NAMES = new EnumMap<>(TraceObservationPoint.class);

    static {
        for (TraceObservationPoint p : TraceObservationPoint.values()) {
            if (p != TraceObservationPoint.UNRECOGNIZED) {
                POINT_NAMES.put(p, p.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
        }
    }

    private FlowSpans() {}

    /** A drop event, or any flow whose verdict is DROPPED (a denying policy verdict too): always exported, status ERROR. */
    static boolean isDrop(Flow f) {
        return f.getVerdict() == Verdict.DROPPED || f.getEventType().getType() == 1;
    }

    /** The decision the flow reports, else the observation point where it was seen. */
    static String name(Flow f) {
        if (f.getEventType().getType() == 5) {
            return POLICY_VERDICT;
        }
        if (isDrop(f)) {
            return DROP;
        }
        if (f.getVerdict() == Verdict.TRANSLATED || f.getSockXlatePoint() != SocketTranslationPoint.SOCK_XLATE_POINT_UNKNOWN) {
            return TRANSLATION;
        }
        String point = POINT_NAMES.get(f.getTraceObservationPoint());
        return point == null || f.getTraceObservationPoint() == TraceObservationPoint.UNKNOWN_POINT ? "flow" : point;
    }

    /**
     * Sets the flow's attributes straight on the span being built: the SDK keeps them in the span
     * as they come, where an {@code Attributes} built first would be sorted, then copied.
     */
    static void attributes(Flow f, SpanBuilder a) {
        a.setAttribute(NETWORK_TYPE, f.getIP().getIpVersion() == IPVersion.IPv6 ? "ipv6" : "ipv4");
        a.setAttribute(SOURCE_ADDRESS, f.getIP().getSource());
        a.setAttribute(DESTINATION_ADDRESS, f.getIP().getDestination());
        Layer4 l4 = f.getL4();
        switch (l4.getProtocolCase()) {
            case TCP -> ports(a, "tcp", l4.getTCP().getSourcePort(), l4.getTCP().getDestinationPort());
            case UDP -> ports(a, "udp", l4.getUDP().getSourcePort(), l4.getUDP().getDestinationPort());
            case SCTP -> ports(a, "sctp", l4.getSCTP().getSourcePort(), l4.getSCTP().getDestinationPort());
            case ICMPV4, ICMPV6 -> a.setAttribute(NETWORK_TRANSPORT, "icmp");
            default -> { }
        }
        if (l4.hasTCP()) {
            a.setAttribute(TCP_FLAGS, flags(l4.getTCP().getFlags()));
        }
        putIfSet(a, K8S_NODE, f.getNodeName());
        Endpoint local = observedAtSource(f) ? f.getSource() : f.getDestination();
        putIfSet(a, K8S_POD, local.getPodName());
        putIfSet(a, K8S_NAMESPACE, local.getNamespace());
        putIfSet(a, SOURCE_POD, f.getSource().getPodName());
        putIfSet(a, SOURCE_NAMESPACE, f.getSource().getNamespace());
        putIfSet(a, DESTINATION_POD, f.getDestination().getPodName());
        putIfSet(a, DESTINATION_NAMESPACE, f.getDestination().getNamespace());
        a.setAttribute(VERDICT, f.getVerdict().name());
        if (isDrop(f)) {
            a.setAttribute(DROP_REASON, f.getDropReasonDesc().name());
        }
        a.setAttribute(OBSERVATION_POINT, f.getTraceObservationPoint().name());
        if (f.getTrafficDirection() != TrafficDirection.TRAFFIC_DIRECTION_UNKNOWN) {
            a.setAttribute(TRAFFIC_DIRECTION, f.getTrafficDirection().name());
        }
        if (f.hasIsReply()) {
            a.setAttribute(IS_REPLY, f.getIsReply().getValue());
        }
        if (!f.getDestinationService().getName().isEmpty()) {
            a.setAttribute(SERVICE, f.getDestinationService().getNamespace() + "/" + f.getDestinationService().getName());
        }
        List<String> policies = policies(f);
        if (!policies.isEmpty()) {
            a.setAttribute(POLICIES, policies);
        }
    }

    /**
     * Whether the pod at the observation point is the source: yes where packets leave a pod or
     * the node, no where they enter; for decisions (drops, verdicts) by the direction of the
     * connection and whether this packet is a reply.
     */
    private static boolean observedAtSource(Flow f) {
        switch (f.getTraceObservationPoint()) {
            case FROM_ENDPOINT, TO_NETWORK, TO_OVERLAY:
                return true;
            case TO_ENDPOINT, FROM_NETWORK, FROM_OVERLAY:
                return false;
            default:
                boolean reply = f.hasIsReply() && f.getIsReply().getValue();
                return (f.getTrafficDirection() == TrafficDirection.INGRESS) == reply;
        }
    }

    private static void ports(SpanBuilder a, String transport, int source, int destination) {
        a.setAttribute(NETWORK_TRANSPORT, transport);
        a.setAttribute(SOURCE_PORT, (long) source);
        a.setAttribute(DESTINATION_PORT, (long) destination);
    }

    private static void putIfSet(SpanBuilder a, AttributeKey<String> key, String value) {
        if (!value.isEmpty()) {
            a.setAttribute(key, value);
        }
    }

    /** "SYN,ACK", ...: every combination of the six flags, joined once, so a span's flags do not allocate. */
    private static final String[] FLAG_NAMES = new String[64];

    static {
        String[] names = {"SYN", "ACK", "FIN", "RST", "PSH", "URG"};
        for (int bits = 0; bits < FLAG_NAMES.length; bits++) {
            StringJoiner j = new StringJoiner(",");
            for (int i = 0; i < names.length; i++) {
                if ((bits & 1 << i) != 0) {
                    j.add(names[i]);
                }
            }
            FLAG_NAMES[bits] = j.toString();
        }
    }

    private static String flags(TCPFlags t) {
        int bits = (t.getSYN() ? 1 : 0) | (t.getACK() ? 2 : 0) | (t.getFIN() ? 4 : 0) | (t.getRST() ? 8 : 0)
                | (t.getPSH() ? 16 : 0) | (t.getURG() ? 32 : 0);
        return FLAG_NAMES[bits];
    }

    private static List<String> policies(Flow f) {
        if (f.getEgressDeniedByCount() + f.getIngressDeniedByCount() + f.getEgressAllowedByCount() + f.getIngressAllowedByCount() == 0) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (List<Policy> ps : List.of(f.getEgressDeniedByList(), f.getIngressDeniedByList(), f.getEgressAllowedByList(),
                f.getIngressAllowedByList())) {
            for (Policy p : ps) {
                out.add(p.getNamespace().isEmpty() ? p.getName() : p.getNamespace() + "/" + p.getName());
            }
        }
        return out;
    }
}
