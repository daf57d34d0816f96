package dev.flows.cli;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Timestamp;
import dev.flows.proto.flow.CiliumEventType;
import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.ICMPv4;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.IPVersion;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.Service;
import dev.flows.proto.flow.TCP;
import dev.flows.proto.flow.TCPFlags;
import dev.flows.proto.flow.TraceObservationPoint;
import dev.flows.proto.flow.UDP;
import dev.flows.proto.flow.Verdict;
import dev.flows.proto.flow.Workload;
import dev.flows.proto.observer.GetFlowsResponse;
import java.util.List;

/**
 * Representative flows, one second apart from 2026-11-21T20:07:01.123Z: a TCP SYN, its reply, a
 * policy drop, a translated (service) flow, a flow to the world, UDP, ICMP.
 */
final class SampleFlows {
    private SampleFlows() {}

    static final long T0 = 1795291621L;

    private static Timestamp at(int i) {
        return Timestamp.newBuilder().setSeconds(T0 + i).setNanos(123_000_000).build();
    }

    private static Endpoint pod(String ns, String name, int identity, String app) {
        return Endpoint.newBuilder().setNamespace(ns).setPodName(name).setIdentity(identity)
                .addLabels("k8s:app=" + app).addLabels("k8s:io.kubernetes.pod.namespace=" + ns)
                .addWorkloads(Workload.newBuilder().setKind("Deployment").setName(app)).build();
    }

    static final Endpoint FRONTEND = pod("shop", "frontend-1", 1234, "frontend");
    static final Endpoint CART = pod("shop", "cart-1", 5678, "cart");
    static final Endpoint COREDNS = pod("infra", "coredns-1", 4321, "coredns");

    private static Flow.Builder base(int i, String node, Endpoint src, Endpoint dst, String srcIp, String dstIp) {
        return Flow.newBuilder().setTime(at(i)).setNodeName(node).setVerdict(Verdict.FORWARDED)
                .setIP(IP.newBuilder().setSource(srcIp).setDestination(dstIp).setIpVersion(IPVersion.IPv4))
                .setSource(src).setDestination(dst).setIsReply(BoolValue.of(false))
                .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(0))
                .setTraceObservationPoint(TraceObservationPoint.TO_ENDPOINT);
    }

    private static Layer4 tcp(int sport, int dport, TCPFlags flags) {
        return Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(sport).setDestinationPort(dport).setFlags(flags)).build();
    }

    static final Flow SYN = base(0, "node-a", FRONTEND, CART, "10.244.1.10", "10.244.1.11")
            .setL4(tcp(43210, 8080, TCPFlags.newBuilder().setSYN(true).build())).setSummary("TCP Flags: SYN").build();

    static final Flow REPLY = base(1, "node-a", CART, FRONTEND, "10.244.1.11", "10.244.1.10")
            .setL4(tcp(8080, 43210, TCPFlags.newBuilder().setSYN(true).setACK(true).build()))
            .setIsReply(BoolValue.of(true)).setEventType(CiliumEventType.newBuilder().setType(4).setSubType(5))
            .setTraceObservationPoint(TraceObservationPoint.FROM_ENDPOINT).setSummary("TCP Flags: SYN, ACK").build();

    static final Flow DROP = base(2, "node-a", FRONTEND, CART, "10.244.1.10", "10.244.1.11")
            .setL4(tcp(43211, 9999, TCPFlags.newBuilder().setSYN(true).build())).setVerdict(Verdict.DROPPED)
            .setEventType(CiliumEventType.newBuilder().setType(1).setSubType(133)).setDropReason(133)
            .setDropReasonDesc(DropReason.POLICY_DENIED).clearTraceObservationPoint().setSummary("TCP Flags: SYN").build();

    static final Flow TRANSLATED = base(3, "node-a", FRONTEND, Endpoint.getDefaultInstance(), "10.244.1.10", "10.96.0.20")
            .setIP(IP.newBuilder().setSource("10.244.1.10").setDestination("10.96.0.20").setIpVersion(IPVersion.IPv4)
                    .setSourceXlated("10.244.1.10"))
            .setL4(tcp(43212, 80, TCPFlags.newBuilder().setSYN(true).build())).setVerdict(Verdict.TRANSLATED)
            .setDestinationService(Service.newBuilder().setNamespace("shop").setName("cart"))
            .setEventType(CiliumEventType.newBuilder().setType(7)).clearTraceObservationPoint()
            .setSummary("TCP Flags: SYN").build();

    static final Flow WORLD = base(4, "node-b", FRONTEND, Endpoint.newBuilder().setIdentity(2).addLabels("reserved:world").build(),
                    "10.244.1.10", "203.0.113.10")
            .setL4(tcp(43213, 443, TCPFlags.newBuilder().setSYN(true).build()))
            .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(11))
            .setTraceObservationPoint(TraceObservationPoint.TO_NETWORK).setSummary("TCP Flags: SYN").build();

    static final Flow UDP_DNS = base(5, "node-b", FRONTEND, COREDNS, "10.244.1.10", "10.244.2.12")
            .setL4(Layer4.newBuilder().setUDP(UDP.newBuilder().setSourcePort(51000).setDestinationPort(5353)))
            .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(11))
            .setTraceObservationPoint(TraceObservationPoint.TO_NETWORK).setSummary("UDP").build();

    static final Flow ICMP = base(6, "node-b", FRONTEND, COREDNS, "10.244.1.10", "10.244.2.12")
            .setL4(Layer4.newBuilder().setICMPv4(ICMPv4.newBuilder().setType(8)))
            .setSummary("ICMPv4 EchoRequest").build();

    static final List<Flow> ALL = List.of(SYN, REPLY, DROP, TRANSLATED, WORLD, UDP_DNS, ICMP);

    /** As a collector sends it. */
    static GetFlowsResponse response(Flow f) {
        return GetFlowsResponse.newBuilder().setFlow(f).setNodeName(f.getNodeName()).setTime(f.getTime()).build();
    }
}
