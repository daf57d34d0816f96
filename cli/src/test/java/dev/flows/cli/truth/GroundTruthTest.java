package dev.flows.cli.truth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import dev.flows.cli.truth.GroundTruth.Hook;
import dev.flows.cli.truth.GroundTruth.Packet;
import dev.flows.cli.truth.GroundTruth.Result;
import dev.flows.cli.truth.GroundTruth.Tuple;
import dev.flows.proto.flow.CiliumEventType;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.NetworkInterface;
import dev.flows.proto.flow.ReportReason;
import dev.flows.proto.flow.TCP;
import dev.flows.proto.flow.TraceObservationPoint;
import dev.flows.proto.flow.TrafficDirection;
import dev.flows.proto.flow.UDP;
import dev.flows.proto.flow.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ground-truth comparison on small synthetic captures: what it accepts and each kind of finding. */
class GroundTruthTest {
    private static final long S = 1_000_000_000L;
    private static final long START = 1_000 * S, END = START + 30 * S, SETTLE = 8 * S, TAIL = S;
    private static final int VETH = 5, UPLINK = 2;
    private static final Map<String, Set<Integer>> PODS = Map.of("node-a", Set.of(VETH));
    private static final Hook FROM_POD = new Hook("node-a", VETH, false), TO_POD = new Hook("node-a", VETH, true);
    private static final Hook TO_NET = new Hook("node-a", UPLINK, true);
    private static final Tuple REQ = new Tuple(17, "10.244.1.10", 40000, "10.244.2.12", 5353);

    private static Packet packet(Hook h, long t, Tuple tuple) {
        return new Packet(h, t, tuple);
    }

    private static Flow trace(TraceObservationPoint point, int ifindex, long t, Tuple tuple, long packets,
            ReportReason why, String summary) {
        Layer4 l4 = tuple.proto() == 6
                ? Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(tuple.sport()).setDestinationPort(tuple.dport())).build()
                : Layer4.newBuilder().setUDP(UDP.newBuilder().setSourcePort(tuple.sport()).setDestinationPort(tuple.dport())).build();
        return Flow.newBuilder().setTime(Timestamps.fromNanos(t)).setNodeName("node-a")
                .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(point.getNumber()))
                .setTraceObservationPoint(point).setVerdict(summary.isEmpty() ? Verdict.FORWARDED : Verdict.TRANSLATED)
                .setInterface(NetworkInterface.newBuilder().setIndex(ifindex))
                .setIP(IP.newBuilder().setSource(tuple.src()).setDestination(tuple.dst())).setL4(l4)
                .setPackets(packets).setReportReason(why).setSummary("UDP" + summary).build();
    }

    private static Result compare(List<Packet> packets, List<Flow> flows) {
        return GroundTruth.compare(packets, flows, PODS, START, END, SETTLE, TAIL);
    }

    @Test
    void aggregatedCountersAndAFlushAddUpToTheCapture() {
        long t = START + 10 * S;
        List<Packet> cap = List.of(packet(FROM_POD, t, REQ), packet(FROM_POD, t + 1000, REQ), packet(FROM_POD, t + 2000, REQ));
        List<Flow> flows = List.of(
                trace(TraceObservationPoint.FROM_ENDPOINT, VETH, t, REQ, 1, ReportReason.REPORT_FIRST, ""),
                trace(TraceObservationPoint.FROM_ENDPOINT, VETH, END + 2 * S, REQ, 2, ReportReason.REPORT_FLUSH, ""));
        Result r = compare(cap, flows);
        assertTrue(r.clean(), r::toString);
        assertEquals(List.of(1, 1, 3L, 3L), List.of(r.connections(), r.hookCrossings(), r.packetsCaptured(), r.packetsInFlows()));
    }

    @Test
    void eachKindOfFindingIsReported() {
        long t = START + 10 * S;
        Tuple other = new Tuple(6, "10.244.1.10", 40001, "10.244.2.11", 8080);
        Tuple ghost = new Tuple(6, "10.244.1.10", 40002, "10.244.2.11", 8080);
        Tuple counted = new Tuple(6, "10.244.1.10", 40003, "10.244.2.11", 8080);
        List<Packet> cap = List.of(packet(FROM_POD, t, other), packet(FROM_POD, t, counted), packet(FROM_POD, t + 1, counted));
        List<Flow> flows = List.of(
                trace(TraceObservationPoint.FROM_ENDPOINT, VETH, t, ghost, 1, ReportReason.REPORT_FIRST, ""),
                trace(TraceObservationPoint.FROM_ENDPOINT, VETH, t, counted, 1, ReportReason.REPORT_FIRST, ""));
        Result r = compare(cap, flows);
        assertEquals(List.of(other), r.missing().stream().map(GroundTruth.Finding::tuple).toList());
        assertEquals(List.of(ghost), r.phantom().stream().map(GroundTruth.Finding::tuple).toList());
        assertEquals(List.of(counted), r.mismatch().stream().map(GroundTruth.Finding::tuple).toList());
        assertEquals(List.of(2L, 1L), List.of(r.mismatch().get(0).captured(), r.mismatch().get(0).inFlows()));
    }

    @Test
    void translatedFlowsAreMatchedWithTheTupleTheCaptureSawAtTheirHook() {
        long t = START + 10 * S;
        Tuple vip = new Tuple(17, "10.244.1.10", 40000, "10.96.0.10", 53); // the pod sent it to the ClusterIP
        Tuple reply = new Tuple(17, "10.244.2.12", 5353, "10.244.1.10", 40000);
        Tuple replyDelivered = new Tuple(17, "10.96.0.10", 53, "10.244.1.10", 40000);
        List<Packet> cap = List.of(packet(FROM_POD, t, vip), packet(TO_POD, t + 5, replyDelivered));
        List<Flow> flows = List.of(
                // source before the hook, destination after it; the rewrite in the summary
                trace(TraceObservationPoint.FROM_ENDPOINT, VETH, t, REQ, 1, ReportReason.REPORT_DECISION,
                        "; DNAT 10.96.0.10:53 => 10.244.2.12:5353"),
                trace(TraceObservationPoint.TO_ENDPOINT, VETH, t + 5, reply, 1, ReportReason.REPORT_FIRST,
                        "; reverse DNAT 10.244.2.12:5353 => 10.96.0.10:53"));
        Result r = compare(cap, flows);
        assertTrue(r.clean(), () -> r + " " + r.missing() + r.phantom());
        assertEquals(2, r.hookCrossings());
    }

    @Test
    void aDropOnLeavingIsCheckedAgainstWhatReachedTheNode() {
        long t = START + 10 * S;
        Tuple denied = new Tuple(6, "10.244.2.13", 41000, "10.244.1.10", 8080);
        Flow drop = trace(TraceObservationPoint.TO_ENDPOINT, VETH, t, denied, 0, ReportReason.REPORT_REASON_UNKNOWN, "").toBuilder()
                .setEventType(CiliumEventType.newBuilder().setType(1).setSubType(133)).setVerdict(Verdict.DROPPED)
                .clearTraceObservationPoint().setTrafficDirection(TrafficDirection.INGRESS).build();
        Hook fromNet = new Hook("node-a", UPLINK, false);
        Result arrived = compare(List.of(packet(fromNet, t - 5, denied)), List.of(drop,
                trace(TraceObservationPoint.FROM_NETWORK, UPLINK, t - 5, denied, 1, ReportReason.REPORT_FIRST, "")));
        assertTrue(arrived.clean(), arrived::toString);
        Result never = compare(List.of(), List.of(drop));
        assertEquals(1, never.phantom().size(), never::toString);
        assertEquals(TO_POD, never.phantom().get(0).hook());
    }

    @Test
    void tuplesActiveAtTheWindowsEdgesAreLeftOut() {
        List<Packet> cap = new ArrayList<>(List.of(packet(FROM_POD, START + S, REQ), packet(TO_NET, END - 100, REQ)));
        Tuple late = new Tuple(17, "10.244.1.10", 40009, "10.244.2.12", 5353);
        cap.add(packet(FROM_POD, START + 20 * S, late));
        List<Flow> flows = List.of(trace(TraceObservationPoint.FROM_ENDPOINT, VETH, END + S, late, 1, ReportReason.REPORT_FIRST, ""));
        Result r = compare(cap, flows);
        assertEquals(List.of(0, 0L), List.of(r.connections(), r.packetsCaptured()),
                "REQ is active early and late; late has a packet report after the capture ended: " + r);
    }

    @Test
    void tsharkLinesParse() {
        Packet p = GroundTruth.parseTshark("node-b", "1796226235.157456441,7,4,10.244.1.10,10.244.2.11,6,34140,8080,,");
        assertEquals(new Packet(new Hook("node-b", 7, true), 1796226235_157456441L, new Tuple(6, "10.244.1.10", 34140, "10.244.2.11", 8080)), p);
        assertEquals(new Tuple(17, "10.244.1.10", 51113, "10.96.0.10", 53),
                GroundTruth.parseTshark("node-b", "1796226235.1,3,0,10.244.1.10,10.96.0.10,17,,,51113,53").tuple());
        assertNull(GroundTruth.parseTshark("node-b", "1796226235.1,3,0,10.244.1.10,10.96.0.10,1,,,,"), "ICMP is out of scope");
    }
}
