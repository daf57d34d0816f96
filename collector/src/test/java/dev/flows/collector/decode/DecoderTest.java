package dev.flows.collector.decode;

import dev.flows.collector.decode.DecodedEvent.PolicyDecision;
import dev.flows.observer.events.ObservationPoint;

import static org.junit.jupiter.api.Assertions.*;

import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.FlowType;
import dev.flows.proto.flow.IPVersion;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.TraceObservationPoint;
import dev.flows.proto.flow.TrafficDirection;
import dev.flows.proto.flow.Verdict;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class DecoderTest {
    private static final long OFFSET = 1_700_000_000_000_000_000L;
    private final Decoder decoder = new Decoder("node-1", () -> OFFSET);

    private Flow decode(byte[] bytes) {
        // Place the record inside a bigger buffer at an offset, as the ring reader hands it over.
        ByteBuffer buf = ByteBuffer.allocate(bytes.length + 16).order(ByteOrder.nativeOrder());
        buf.put(8, bytes);
        Flow f = decoder.decode(buf, 8, bytes.length);
        assertNotNull(f, "record should decode");
        return f;
    }

    private DecodeError error(byte[] bytes, int len) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        return decoder.decode(buf, 0, len, new DecodedEvent());
    }

    /** The flow and the ids beside it; the names they stand for are the enrich stage's (EventNamesTest). */
    private DecodedEvent decodeEvent(byte[] bytes) {
        DecodedEvent e = new DecodedEvent();
        assertNull(decoder.decode(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()), 0, bytes.length, e),
                "record should decode");
        return e;
    }

    private Flow decodeWithServices(byte[] bytes) {
        return decodeEvent(bytes).flow().build();
    }

    @Test
    void aTraceSaysHowManyPacketsItStandsForAndWhy() {
        byte[] flush = TraceEvents.udp("10.244.1.10", 40000, "10.244.2.12", 5353)
                .raw(EventLayout.TRACE_REASON, 6).bytes();
        java.nio.ByteBuffer.wrap(flush).order(java.nio.ByteOrder.nativeOrder())
                .putLong(EventLayout.TRACE_PACKETS, 7).putLong(EventLayout.TRACE_BYTES, 7 * 62);
        Flow f = decodeWithServices(flush);
        assertEquals(List.of(7L, 434L, dev.flows.proto.flow.ReportReason.REPORT_FLUSH),
                List.of(f.getPackets(), f.getBytes(), f.getReportReason()));
        assertTrue(f.getSummary().endsWith("; 7 packets since the last report"), f.getSummary());
        Flow first = decodeWithServices(TraceEvents.tcp("10.244.1.10", 40000, "10.244.2.12", 80, 0x02)
                .raw(EventLayout.TRACE_REASON, 1).bytes());
        assertEquals(dev.flows.proto.flow.ReportReason.REPORT_FIRST, first.getReportReason());
        assertFalse(first.getSummary().contains("since the last report"), first.getSummary());
    }

    @Test
    void aDropIsOnePacket() {
        byte[] drop = TraceEvents.tcp("10.244.1.10", 40000, "10.244.2.12", 80, 0x02).asDrop(133, 0);
        java.nio.ByteBuffer.wrap(drop).order(java.nio.ByteOrder.nativeOrder()).putInt(EventLayout.DROP_PKT_LEN, 74);
        Flow f = decodeWithServices(drop);
        assertEquals(List.of(1L, 74L), List.of(f.getPackets(), f.getBytes()));
    }

    @Test
    void dnatCarriesTheServiceIdAndNamesTheBackend() {
        DecodedEvent e = decodeEvent(TraceEvents.tcp("10.244.1.10", 40000, "10.96.10.20", 8080, 0x02)
                .xlate(EventLayout.XLATE_DNAT, "10.244.1.10", 40000, "10.244.2.11", 8081).service(7).bytes());
        assertEquals(7, e.serviceId(), "the frontend the datapath chose");
        assertEquals(PolicyDecision.NONE, e.policy());
        Flow f = e.flow().build();
        assertEquals(Verdict.TRANSLATED, f.getVerdict());
        assertEquals("10.244.1.10", f.getIP().getSource());
        assertEquals("10.244.2.11", f.getIP().getDestination(), "the real peer: the backend");
        assertEquals(8081, f.getL4().getTCP().getDestinationPort());
        assertEquals("", f.getIP().getSourceXlated());
        assertFalse(f.hasDestinationService() || f.hasSourceService(), "the decoder names no service");
        assertEquals("TCP Flags: SYN; DNAT 10.96.10.20:8080 => 10.244.2.11:8081", f.getSummary());
    }

    @Test
    void reverseDnatOnAReplyCarriesTheServiceId() {
        DecodedEvent e = decodeEvent(TraceEvents.tcp("10.244.2.11", 8081, "10.244.1.10", 40000, 0x12).direction(2)
                .point(ObservationPoint.TO_ENDPOINT)
                .xlate(EventLayout.XLATE_REV_DNAT, "10.96.10.20", 8080, "10.244.1.10", 40000).service(7).bytes());
        assertEquals(7, e.serviceId());
        Flow f = e.flow().build();
        assertEquals(Verdict.TRANSLATED, f.getVerdict());
        assertEquals("10.244.2.11", f.getIP().getSource(), "the backend that really answered");
        assertEquals(8081, f.getL4().getTCP().getSourcePort());
        assertTrue(f.getIsReply().getValue(), "the enrich stage names the frontend as the reply's source");
        assertTrue(f.getSummary().endsWith("; reverse DNAT 10.244.2.11:8081 => 10.96.10.20:8080"), f.getSummary());
    }

    @Test
    void snatFillsSourceXlated() {
        Flow f = decodeWithServices(TraceEvents.tcp("10.244.1.10", 40000, "203.0.113.5", 443, 0x02)
                .point(ObservationPoint.TO_NETWORK)
                .xlate(EventLayout.XLATE_SNAT, "172.20.0.2", 40001, "203.0.113.5", 443).bytes());
        assertEquals(Verdict.TRANSLATED, f.getVerdict());
        assertEquals("10.244.1.10", f.getIP().getSource());
        assertEquals("172.20.0.2", f.getIP().getSourceXlated());
        assertEquals("203.0.113.5", f.getIP().getDestination());
        assertEquals(40000, f.getL4().getTCP().getSourcePort(), "the pod's own port");
        assertTrue(f.getSummary().endsWith("; SNAT 10.244.1.10:40000 => 172.20.0.2:40001"), f.getSummary());
    }

    @Test
    void untranslatedPacketsOfAServiceConnectionStillCarryItsId() {
        DecodedEvent e = decodeEvent(TraceEvents.tcp("10.244.1.10", 40000, "10.244.2.11", 8081, 0x10)
                .point(ObservationPoint.TO_ENDPOINT).service(7).bytes());
        assertEquals(Verdict.FORWARDED, e.flow().getVerdict());
        assertEquals(7, e.serviceId());
        assertEquals(DecodedEvent.NO_ID, decodeEvent(TraceEvents.tcp("10.244.1.10", 40000, "10.244.2.11", 8081, 0x10).bytes())
                .serviceId(), "a connection of no service");
    }

    @Test
    void allowedIngressVerdictIsForwardedAndCarriesTheAllowingPolicysId() {
        DecodedEvent e = decodeEvent(TraceEvents.tcp("10.244.1.10", 40000, "10.244.2.11", 8080, 0x02).point(ObservationPoint.TO_ENDPOINT)
                .asVerdict(EventLayout.POLICY_INGRESS, true, 42, 2, 12345));
        assertEquals(PolicyDecision.INGRESS_ALLOWED, e.policy());
        assertEquals(42, e.policyId());
        Flow f = e.flow().build();
        assertEquals(Verdict.FORWARDED, f.getVerdict());
        assertEquals(5, f.getEventType().getType());
        assertEquals(TrafficDirection.INGRESS, f.getTrafficDirection());
        assertEquals(2, f.getPolicyMatchType(), "L3-L4");
        assertEquals(0, f.getIngressAllowedByCount() + f.getEgressAllowedByCount() + f.getIngressDeniedByCount()
                + f.getEgressDeniedByCount(), "the decoder names no policy");
        assertFalse(f.getIsReply().getValue());
        assertEquals("10.244.2.11", f.getIP().getDestination());
        assertEquals(8080, f.getL4().getTCP().getDestinationPort());
        assertEquals("TCP Flags: SYN; policy ingress allowed", f.getSummary(), "the enrich stage appends the names");
    }

    @Test
    void deniedEgressVerdictIsDropped() {
        DecodedEvent e = decodeEvent(TraceEvents.udp("10.244.1.10", 5353, "10.244.2.11", 53)
                .asVerdict(EventLayout.POLICY_EGRESS, false, 0, 0, 12345));
        assertEquals(PolicyDecision.EGRESS_DENIED, e.policy());
        Flow f = e.flow().build();
        assertEquals(Verdict.DROPPED, f.getVerdict());
        assertEquals(dev.flows.proto.flow.DropReason.POLICY_DENIED, f.getDropReasonDesc());
        assertEquals(TrafficDirection.EGRESS, f.getTrafficDirection());
        assertEquals(0, f.getPolicyMatchType());
        assertEquals("UDP; policy egress denied", f.getSummary());
    }

    @Test
    void policyDropIsDeniedInTheDirectionOfItsHook() {
        DecodedEvent in = decodeEvent(TraceEvents.tcp("10.244.1.10", 40000, "10.244.2.11", 8080, 0x02)
                .point(ObservationPoint.TO_ENDPOINT).asDrop(133, 0));
        assertEquals(PolicyDecision.INGRESS_DENIED, in.policy());
        assertEquals(Verdict.DROPPED, in.flow().getVerdict());
        assertEquals(dev.flows.proto.flow.DropReason.POLICY_DENIED, in.flow().getDropReasonDesc());
        assertEquals("TCP Flags: SYN; dropped: POLICY_DENIED", in.flow().getSummary());
        DecodedEvent out = decodeEvent(TraceEvents.tcp("10.244.1.10", 40000, "10.244.2.11", 8080, 0x02).asDrop(133, 0));
        assertEquals(PolicyDecision.EGRESS_DENIED, out.policy());
        assertEquals(PolicyDecision.NONE, decodeEvent(TraceEvents.tcp("10.244.1.10", 40000, "10.244.2.11", 8080, 0x02)
                .asDrop(158, 0)).policy(), "another drop reason is no policy decision");
    }

    @Test
    void serviceDropIsDroppedWithHubblesReason() {
        DecodedEvent e = decodeEvent(TraceEvents.tcp("10.244.1.10", 40000, "10.96.10.21", 80, 0x02).ts(1000).ifindex(3)
                .asDrop(158, 7));
        assertEquals(7, e.serviceId());
        Flow f = e.flow().build();
        assertEquals(Verdict.DROPPED, f.getVerdict());
        assertEquals(dev.flows.proto.flow.DropReason.SERVICE_BACKEND_NOT_FOUND, f.getDropReasonDesc());
        assertEquals(158, f.getDropReason());
        assertEquals(1, f.getEventType().getType());
        assertEquals(158, f.getEventType().getSubType());
        assertEquals("10.96.10.21", f.getIP().getDestination());
        assertEquals(80, f.getL4().getTCP().getDestinationPort());
        assertEquals(TrafficDirection.EGRESS, f.getTrafficDirection());
        assertEquals(OFFSET + 1000, f.getTime().getSeconds() * 1_000_000_000L + f.getTime().getNanos());
        assertEquals(3, f.getInterface().getIndex());
        assertEquals("TCP Flags: SYN; dropped: SERVICE_BACKEND_NOT_FOUND", f.getSummary());
        byte[] shortDrop = TraceEvents.udp("10.0.0.1", 1, "10.0.0.2", 2).asDrop(158, 0);
        ByteBuffer.wrap(shortDrop).order(ByteOrder.nativeOrder()).putShort(EventLayout.HDR_LEN, (short) 40);
        assertEquals(DecodeError.SHORT_RECORD, error(shortDrop, 40));
    }

    @Test
    void tcpSynIpv4() {
        Flow f = decode(TraceEvents.tcp("10.244.1.5", 40000, "10.244.2.7", 8080, 0x02)
                .ts(5_000_000_123L).ifindex(7).bytes());
        assertEquals(Verdict.FORWARDED, f.getVerdict());
        assertEquals(FlowType.L3_L4, f.getType());
        assertEquals("node-1", f.getNodeName());
        assertEquals("10.244.1.5", f.getIP().getSource());
        assertEquals("10.244.2.7", f.getIP().getDestination());
        assertEquals(IPVersion.IPv4, f.getIP().getIpVersion());
        assertEquals(40000, f.getL4().getTCP().getSourcePort());
        assertEquals(8080, f.getL4().getTCP().getDestinationPort());
        assertTrue(f.getL4().getTCP().getFlags().getSYN());
        assertFalse(f.getL4().getTCP().getFlags().getACK());
        assertEquals("TCP Flags: SYN", f.getSummary());
        assertEquals(4, f.getEventType().getType());
        assertEquals(5, f.getEventType().getSubType());
        assertEquals(TraceObservationPoint.FROM_ENDPOINT, f.getTraceObservationPoint());
        assertEquals(TrafficDirection.EGRESS, f.getTrafficDirection());
        assertFalse(f.getIsReply().getValue());
        assertTrue(f.hasIsReply());
        assertEquals(7, f.getInterface().getIndex());
        assertEquals("0a:58:0a:f4:01:05", f.getEthernet().getSource());
        assertEquals("ee:ff:00:00:00:01", f.getEthernet().getDestination());
        long ts = OFFSET + 5_000_000_123L;
        assertEquals(ts / 1_000_000_000L, f.getTime().getSeconds());
        assertEquals(ts % 1_000_000_000L, f.getTime().getNanos());
    }

    static Stream<Arguments> tcpFlags() {
        return Stream.of(
                Arguments.of(0x02, "TCP Flags: SYN"),
                Arguments.of(0x12, "TCP Flags: SYN, ACK"),
                Arguments.of(0x10, "TCP Flags: ACK"),
                Arguments.of(0x18, "TCP Flags: ACK, PSH"),
                Arguments.of(0x11, "TCP Flags: ACK, FIN"),
                Arguments.of(0x14, "TCP Flags: ACK, RST"),
                Arguments.of(0x04, "TCP Flags: RST"),
                Arguments.of(0xff, "TCP Flags: SYN, ACK, RST, FIN, PSH, URG, ECE, CWR"));
    }

    @ParameterizedTest
    @MethodSource
    void tcpFlags(int flags, String summary) {
        Flow f = decode(TraceEvents.tcp("10.0.0.1", 1, "10.0.0.2", 2, flags).bytes());
        assertEquals(summary, f.getSummary());
        var fl = f.getL4().getTCP().getFlags();
        assertEquals((flags & 0x01) != 0, fl.getFIN());
        assertEquals((flags & 0x02) != 0, fl.getSYN());
        assertEquals((flags & 0x04) != 0, fl.getRST());
        assertEquals((flags & 0x08) != 0, fl.getPSH());
        assertEquals((flags & 0x10) != 0, fl.getACK());
        assertEquals((flags & 0x20) != 0, fl.getURG());
        assertEquals((flags & 0x40) != 0, fl.getECE());
        assertEquals((flags & 0x80) != 0, fl.getCWR());
    }

    @Test
    void tcpIpv6() {
        Flow f = decode(TraceEvents.tcp("fd00:10:244:1::5", 443, "fd00::a", 50000, 0x12).bytes());
        assertEquals("fd00:10:244:1::5", f.getIP().getSource());
        assertEquals("fd00::a", f.getIP().getDestination());
        assertEquals(IPVersion.IPv6, f.getIP().getIpVersion());
        assertEquals("TCP Flags: SYN, ACK", f.getSummary());
    }

    @Test
    void udpBothFamilies() {
        Flow v4 = decode(TraceEvents.udp("10.244.1.5", 5353, "10.96.0.10", 53).bytes());
        assertEquals(Layer4.ProtocolCase.UDP, v4.getL4().getProtocolCase());
        assertEquals(5353, v4.getL4().getUDP().getSourcePort());
        assertEquals(53, v4.getL4().getUDP().getDestinationPort());
        assertEquals("UDP", v4.getSummary());
        Flow v6 = decode(TraceEvents.udp("2001:db8::1", 1, "2001:db8::2", 65535).bytes());
        assertEquals(65535, v6.getL4().getUDP().getDestinationPort());
        assertEquals(IPVersion.IPv6, v6.getIP().getIpVersion());
    }

    @Test
    void icmp() {
        Flow req = decode(TraceEvents.icmp("10.244.1.5", "10.244.2.7", 8, 0).bytes());
        assertEquals(8, req.getL4().getICMPv4().getType());
        assertEquals("ICMPv4 EchoRequest", req.getSummary());
        Flow unreach = decode(TraceEvents.icmp("10.244.1.5", "10.244.2.7", 3, 3).bytes());
        assertEquals(3, unreach.getL4().getICMPv4().getCode());
        assertEquals("ICMPv4 DestinationUnreachable", unreach.getSummary());
        Flow rep6 = decode(TraceEvents.icmp("fd00::1", "fd00::2", 129, 0).bytes());
        assertEquals(129, rep6.getL4().getICMPv6().getType());
        assertEquals("ICMPv6 EchoReply", rep6.getSummary());
    }

    @Test
    void isReplyFromDirection() {
        Flow req = decode(TraceEvents.tcp("10.0.0.1", 1, "10.0.0.2", 2, 0x10).direction(1).bytes());
        assertFalse(req.getIsReply().getValue());
        Flow rep = decode(TraceEvents.tcp("10.0.0.1", 1, "10.0.0.2", 2, 0x10).direction(2).bytes());
        assertTrue(rep.hasIsReply());
        assertTrue(rep.getIsReply().getValue());
        Flow unknown = decode(TraceEvents.tcp("10.0.0.1", 1, "10.0.0.2", 2, 0x10).direction(0).bytes());
        assertFalse(unknown.hasIsReply(), "unknown direction must leave is_reply unset (printed <>)");
    }

    @ParameterizedTest
    @EnumSource(ObservationPoint.class)
    void everyObservationPoint(ObservationPoint p) {
        Flow f = decode(TraceEvents.udp("10.0.0.1", 1, "10.0.0.2", 2).point(p).bytes());
        assertEquals(4, f.getEventType().getType());
        assertEquals(p.code(), f.getEventType().getSubType());
        assertEquals(TraceObservationPoint.valueOf(p.name()), f.getTraceObservationPoint());
        TrafficDirection expected = p == ObservationPoint.FROM_ENDPOINT ? TrafficDirection.EGRESS
                : p == ObservationPoint.TO_ENDPOINT ? TrafficDirection.INGRESS
                : TrafficDirection.TRAFFIC_DIRECTION_UNKNOWN;
        assertEquals(expected, f.getTrafficDirection());
    }

    @Test
    void toEndpointIsHubbleNumber101() {
        Flow f = decode(TraceEvents.udp("10.0.0.1", 1, "10.0.0.2", 2).point(ObservationPoint.TO_ENDPOINT).bytes());
        assertEquals(101, f.getTraceObservationPointValue());
    }

    @Test
    void replyReversesTrafficDirectionOfTheConnection() {
        Flow reply = decode(TraceEvents.tcp("10.0.0.2", 80, "10.0.0.1", 40000, 0x12)
                .point(ObservationPoint.FROM_ENDPOINT).direction(2).bytes());
        assertEquals(TrafficDirection.INGRESS, reply.getTrafficDirection(),
                "a reply leaving the server belongs to an ingress connection");
    }

    @Test
    void otherProtocolHasNoL4() {
        Flow f = decode(TraceEvents.udp("10.0.0.1", 0, "10.0.0.2", 0).proto(47).bytes());
        assertEquals(Layer4.ProtocolCase.PROTOCOL_NOT_SET, f.getL4().getProtocolCase());
        assertEquals("IP protocol 47", f.getSummary());
    }

    @Test
    void badRecords() {
        byte[] ok = TraceEvents.udp("10.0.0.1", 1, "10.0.0.2", 2).bytes();
        assertEquals(DecodeError.SHORT_RECORD, error(ok, 10));
        assertEquals(DecodeError.LENGTH_MISMATCH, error(ok, EventLayout.TRACE_SIZE - 8));
        byte[] shortTrace = TraceEvents.udp("10.0.0.1", 1, "10.0.0.2", 2).lenField(40).bytes();
        assertEquals(DecodeError.SHORT_RECORD, error(shortTrace, 40));
        assertEquals(DecodeError.UNSUPPORTED_VERSION,
                error(TraceEvents.udp("10.0.0.1", 1, "10.0.0.2", 2).raw(EventLayout.HDR_VERSION, 1).bytes(), EventLayout.TRACE_SIZE),
                "version 1 records (before translations) are not read");
        assertEquals(DecodeError.UNKNOWN_TYPE,
                error(TraceEvents.udp("10.0.0.1", 1, "10.0.0.2", 2).raw(EventLayout.HDR_TYPE, 99).bytes(), EventLayout.TRACE_SIZE));
        byte[] shortVerdict = TraceEvents.udp("10.0.0.1", 1, "10.0.0.2", 2).asVerdict(0, true, 1, 2, 300);
        ByteBuffer.wrap(shortVerdict).order(ByteOrder.nativeOrder()).putShort(EventLayout.HDR_LEN, (short) 64);
        assertEquals(DecodeError.SHORT_RECORD, error(shortVerdict, 64));
        assertEquals(DecodeError.INVALID_FIELD, error(TraceEvents.udp("10.0.0.1", 1, "10.0.0.2", 2).asVerdict(7, true, 1, 2, 300),
                EventLayout.VERDICT_SIZE), "a direction that is neither ingress nor egress");
        assertEquals(DecodeError.INVALID_FIELD,
                error(TraceEvents.udp("10.0.0.1", 1, "10.0.0.2", 2).raw(EventLayout.HDR_SUBTYPE, 12).bytes(), EventLayout.TRACE_SIZE));
        assertEquals(DecodeError.INVALID_FIELD,
                error(TraceEvents.udp("10.0.0.1", 1, "10.0.0.2", 2).family(5).bytes(), EventLayout.TRACE_SIZE));
        assertEquals(DecodeError.SHORT_RECORD, error(new byte[0], 0));
    }

    @Test
    void builderIsReusableAcrossRecords() {
        DecodedEvent b = new DecodedEvent();
        ByteBuffer tcp = ByteBuffer.wrap(TraceEvents.tcp("10.0.0.1", 1, "10.0.0.2", 2, 0x02).direction(2).service(7).bytes())
                .order(ByteOrder.nativeOrder());
        ByteBuffer udp = ByteBuffer.wrap(TraceEvents.udp("10.0.0.3", 3, "10.0.0.4", 4).direction(0).bytes()).order(ByteOrder.nativeOrder());
        ByteBuffer verdict = ByteBuffer.wrap(TraceEvents.udp("10.0.0.3", 3, "10.0.0.4", 4)
                .asVerdict(EventLayout.POLICY_INGRESS, true, 42, 2, 300)).order(ByteOrder.nativeOrder());
        assertNull(decoder.decode(verdict, 0, EventLayout.VERDICT_SIZE, b));
        assertNull(decoder.decode(tcp, 0, EventLayout.TRACE_SIZE, b));
        assertEquals(PolicyDecision.NONE, b.policy(), "the previous record's decision must not leak");
        assertNull(decoder.decode(udp, 0, EventLayout.TRACE_SIZE, b));
        Flow f = b.flow().build();
        assertFalse(f.hasIsReply(), "state from the previous record must not leak");
        assertEquals(Layer4.ProtocolCase.UDP, f.getL4().getProtocolCase());
        assertEquals(DecodedEvent.NO_ID, b.serviceId(), "nor its service");
    }
}
