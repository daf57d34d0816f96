package dev.flows.relay.export.otlp;

import com.google.protobuf.BoolValue;
import com.google.protobuf.util.Timestamps;
import dev.flows.proto.flow.CiliumEventType;
import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.IPVersion;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.Policy;
import dev.flows.proto.flow.TCP;
import dev.flows.proto.flow.TCPFlags;
import dev.flows.proto.flow.TraceObservationPoint;
import dev.flows.proto.flow.TrafficDirection;
import dev.flows.proto.flow.Verdict;

/**
 * Flows as the lab's collectors report them, for trace tests: a TCP connection between
 * shop/frontend (10.244.1.10, node-a) and shop/catalog (10.244.2.10:8080, node-b).
 */
public final class TestFlows {
    public static final String FRONTEND = "10.244.1.10";
    public static final String CATALOG = "10.244.2.10";

    private TestFlows() {}

    /** A request (frontend → catalog:8080 from {@code port}) or its reply, seen at {@code point} on {@code node}. */
    public static Flow tcp(long nanos, String node, TraceObservationPoint point, boolean reply, int port, String flags) {
        Endpoint frontend = Endpoint.newBuilder().setNamespace("shop").setPodName("frontend-6b8f9c7d5-q2x7k").setIdentity(1001).build();
        Endpoint catalog = Endpoint.newBuilder().setNamespace("shop").setPodName("catalog-7f6d8c9b5-p8n3r").setIdentity(1002).build();
        TCPFlags.Builder f = TCPFlags.newBuilder();
        for (String flag : flags.split(",")) {
            switch (flag) {
                case "SYN" -> f.setSYN(true);
                case "ACK" -> f.setACK(true);
                case "FIN" -> f.setFIN(true);
                case "RST" -> f.setRST(true);
                case "PSH" -> f.setPSH(true);
                case "" -> { }
                default -> throw new IllegalArgumentException(flag);
            }
        }
        TCP.Builder tcp = TCP.newBuilder().setFlags(f);
        if (reply) {
            tcp.setSourcePort(8080).setDestinationPort(port);
        } else {
            tcp.setSourcePort(port).setDestinationPort(8080);
        }
        return Flow.newBuilder().setTime(Timestamps.fromNanos(nanos)).setNodeName(node)
                .setVerdict(Verdict.FORWARDED).setEventType(CiliumEventType.newBuilder().setType(4))
                .setTraceObservationPoint(point)
                .setIsReply(BoolValue.of(reply))
                .setIP(IP.newBuilder().setSource(reply ? CATALOG : FRONTEND).setDestination(reply ? FRONTEND : CATALOG)
                        .setIpVersion(IPVersion.IPv4))
                .setL4(Layer4.newBuilder().setTCP(tcp))
                .setSource(reply ? catalog : frontend).setDestination(reply ? frontend : catalog)
                .build();
    }

    /** The policy verdict that denies that SYN at catalog's ingress on node-b (the drop event follows it). */
    public static Flow denyingVerdict(long nanos, int port) {
        return policyDrop(nanos, port).toBuilder().setEventType(CiliumEventType.newBuilder().setType(5)).build();
    }

    /** The SYN of that connection denied by a policy at catalog's ingress on node-b. */
    public static Flow policyDrop(long nanos, int port) {
        return tcp(nanos, "node-b", TraceObservationPoint.TO_ENDPOINT, false, port, "SYN").toBuilder()
                .setVerdict(Verdict.DROPPED).setEventType(CiliumEventType.newBuilder().setType(1).setSubType(133))
                .setDropReasonDesc(DropReason.POLICY_DENIED).setTrafficDirection(TrafficDirection.INGRESS)
                .addIngressDeniedBy(Policy.newBuilder().setNamespace("shop").setName("catalog-deny-frontend"))
                .build();
    }
}
