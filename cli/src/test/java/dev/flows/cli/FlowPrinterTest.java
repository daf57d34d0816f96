package dev.flows.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Timestamp;
import dev.flows.proto.flow.CiliumEventType;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.ICMPv4;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.LostEvent;
import dev.flows.proto.flow.LostEventSource;
import dev.flows.proto.flow.TCP;
import dev.flows.proto.flow.TCPFlags;
import dev.flows.proto.flow.TrafficDirection;
import dev.flows.proto.flow.UDP;
import dev.flows.proto.flow.Verdict;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.relay.NodeState;
import dev.flows.proto.relay.NodeStatusEvent;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Golden compact lines and JSON lines for representative flows. */
class FlowPrinterTest {
    private final FlowPrinter compact = new FlowPrinter(FlowPrinter.Format.COMPACT, ZoneOffset.UTC);
    // 2026-11-21T20:07:01.123Z
    private static final Timestamp T = Timestamp.newBuilder().setSeconds(1795291621L).setNanos(123_000_000).build();

    private static Endpoint pod(String ns, String name, int identity) {
        return Endpoint.newBuilder().setNamespace(ns).setPodName(name).setIdentity(identity).build();
    }

    private static Flow.Builder tcp(int sport, int dport, TCPFlags flags) {
        return Flow.newBuilder().setTime(T).setVerdict(Verdict.FORWARDED)
                .setIP(IP.newBuilder().setSource("10.244.1.10").setDestination("10.244.1.11"))
                .setL4(Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(sport).setDestinationPort(dport).setFlags(flags)))
                .setSource(pod("shop", "frontend-1", 1234)).setDestination(pod("shop", "cart-1", 5678))
                .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(0));
    }

    private static GetFlowsResponse of(Flow f) {
        return GetFlowsResponse.newBuilder().setFlow(f).setNodeName("node-a").build();
    }

    @Test
    void tcpSynRequest() {
        Flow f = tcp(43210, 8080, TCPFlags.newBuilder().setSYN(true).build()).setIsReply(BoolValue.of(false)).setSummary("TCP Flags: SYN").build();
        assertEquals("Nov 21 20:07:01.123: shop/frontend-1:43210 (ID:1234) -> shop/cart-1:8080 (ID:5678) to-endpoint FORWARDED (TCP Flags: SYN)",
                compact.line(of(f)));
    }

    @Test
    void replyIsPrintedWithEndsSwapped() {
        Flow f = Flow.newBuilder(tcp(8080, 43210, TCPFlags.newBuilder().setSYN(true).setACK(true).build()).build())
                .setSource(pod("shop", "cart-1", 5678)).setDestination(pod("shop", "frontend-1", 1234))
                .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(5))
                .setIsReply(BoolValue.of(true)).setSummary("TCP Flags: SYN, ACK").build();
        assertEquals("Nov 21 20:07:01.123: shop/frontend-1:43210 (ID:1234) <- shop/cart-1:8080 (ID:5678) from-endpoint FORWARDED (TCP Flags: SYN, ACK)",
                compact.line(of(f)));
    }

    @Test
    void udpAcrossNodes() {
        Flow f = Flow.newBuilder().setTime(T).setVerdict(Verdict.FORWARDED)
                .setIP(IP.newBuilder().setSource("10.244.1.10").setDestination("10.244.2.12"))
                .setL4(Layer4.newBuilder().setUDP(UDP.newBuilder().setSourcePort(51000).setDestinationPort(5353)))
                .setSource(pod("shop", "frontend-1", 1234)).setDestination(pod("infra", "coredns-1", 4321))
                .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(11))
                .setIsReply(BoolValue.of(false)).setSummary("UDP").build();
        assertEquals("Nov 21 20:07:01.123: shop/frontend-1:51000 (ID:1234) -> infra/coredns-1:5353 (ID:4321) to-network FORWARDED (UDP)",
                compact.line(of(f)));
    }

    @Test
    void icmpHasNoPorts() {
        Flow f = Flow.newBuilder().setTime(T).setVerdict(Verdict.FORWARDED)
                .setIP(IP.newBuilder().setSource("10.244.1.10").setDestination("10.244.2.10"))
                .setL4(Layer4.newBuilder().setICMPv4(ICMPv4.newBuilder().setType(8)))
                .setSource(pod("shop", "frontend-1", 1234)).setDestination(pod("shop", "catalog-1", 777))
                .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(5))
                .setIsReply(BoolValue.of(false)).setSummary("ICMPv4 EchoRequest").build();
        assertEquals("Nov 21 20:07:01.123: shop/frontend-1 (ID:1234) -> shop/catalog-1 (ID:777) from-endpoint FORWARDED (ICMPv4 EchoRequest)",
                compact.line(of(f)));
    }

    @Test
    void unknownDirectionPrintsBothWaysArrow() {
        Flow f = tcp(43210, 9999, TCPFlags.newBuilder().setRST(true).setACK(true).build()).setSummary("TCP Flags: ACK, RST").build();
        assertEquals("Nov 21 20:07:01.123: shop/frontend-1:43210 (ID:1234) <> shop/cart-1:9999 (ID:5678) to-endpoint FORWARDED (TCP Flags: ACK, RST)",
                compact.line(of(f)));
    }

    @Test
    void worldIpPrintsTheReservedIdentityByName() {
        Flow f = tcp(43210, 443, TCPFlags.newBuilder().setSYN(true).build())
                .setIP(IP.newBuilder().setSource("10.244.1.10").setDestination("203.0.113.10"))
                .setDestination(Endpoint.newBuilder().setIdentity(2))
                .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(11))
                .setIsReply(BoolValue.of(false)).setSummary("TCP Flags: SYN").build();
        assertEquals("Nov 21 20:07:01.123: shop/frontend-1:43210 (ID:1234) -> 203.0.113.10:443 (world) to-network FORWARDED (TCP Flags: SYN)",
                compact.line(of(f)));
    }

    @Test
    void dropAndPolicyVerdictTypes() {
        Flow drop = tcp(43210, 8080, TCPFlags.newBuilder().setSYN(true).build()).setVerdict(Verdict.DROPPED)
                .setEventType(CiliumEventType.newBuilder().setType(1).setSubType(133))
                .setIsReply(BoolValue.of(false)).setSummary("TCP Flags: SYN").build();
        assertEquals("Nov 21 20:07:01.123: shop/frontend-1:43210 (ID:1234) -> shop/cart-1:8080 (ID:5678) Policy denied DROPPED (TCP Flags: SYN)",
                compact.line(of(drop)));
        Flow verdict = Flow.newBuilder(drop).setVerdict(Verdict.FORWARDED).setEventType(CiliumEventType.newBuilder().setType(5))
                .setPolicyMatchType(2).setTrafficDirection(TrafficDirection.INGRESS).build();
        assertEquals("Nov 21 20:07:01.123: shop/frontend-1:43210 (ID:1234) -> shop/cart-1:8080 (ID:5678) policy-verdict:L3-L4 INGRESS FORWARDED (TCP Flags: SYN)",
                compact.line(of(verdict)));
        Flow noType = Flow.newBuilder(drop).clearEventType().clearSummary().build();
        assertEquals("Nov 21 20:07:01.123: shop/frontend-1:43210 (ID:1234) -> shop/cart-1:8080 (ID:5678) UNKNOWN DROPPED ()",
                compact.line(of(noType)));
    }

    @Test
    void lostEventsAndNodeStatusArePrintedAsLines() {
        GetFlowsResponse lost = GetFlowsResponse.newBuilder().setLostEvents(
                LostEvent.newBuilder().setSource(LostEventSource.HUBBLE_RING_BUFFER).setNumEventsLost(12)).build();
        assertEquals("EVENTS LOST: HUBBLE_RING_BUFFER 12", compact.line(lost));
        GetFlowsResponse down = GetFlowsResponse.newBuilder().setNodeStatus(NodeStatusEvent.newBuilder()
                .setStateChange(NodeState.NODE_UNAVAILABLE).addNodeNames("node-a").addNodeNames("node-b")).build();
        assertEquals("2 nodes are unavailable: node-a, node-b", compact.line(down));
    }

    @Test
    void jsonIsOneLineWithProtoFieldNames() {
        Flow f = tcp(43210, 8080, TCPFlags.newBuilder().setSYN(true).build()).setIsReply(BoolValue.of(false)).setSummary("TCP Flags: SYN").build();
        String line = new FlowPrinter(FlowPrinter.Format.JSON, ZoneOffset.UTC).line(of(f));
        assertEquals("{\"flow\":{\"time\":\"2026-11-21T20:07:01.123Z\",\"verdict\":\"FORWARDED\",\"IP\":{\"source\":\"10.244.1.10\","
                + "\"destination\":\"10.244.1.11\"},\"l4\":{\"TCP\":{\"source_port\":43210,\"destination_port\":8080,\"flags\":{\"SYN\":true}}},"
                + "\"source\":{\"identity\":1234,\"namespace\":\"shop\",\"pod_name\":\"frontend-1\"},"
                + "\"destination\":{\"identity\":5678,\"namespace\":\"shop\",\"pod_name\":\"cart-1\"},"
                + "\"event_type\":{\"type\":4},\"is_reply\":false,\"Summary\":\"TCP Flags: SYN\"},\"node_name\":\"node-a\"}", line);
        assertEquals(line, new FlowPrinter(FlowPrinter.Format.JSONPB, ZoneOffset.UTC).line(of(f)));
    }
}
