package dev.flows.collector.decode;

import dev.flows.observer.events.EventType;
import dev.flows.observer.events.ObservationPoint;
import dev.flows.observer.events.Summaries;
import dev.flows.observer.net.Addresses;

import static dev.flows.collector.decode.EventLayout.*;

import dev.flows.collector.decode.DecodedEvent.PolicyDecision;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Timestamp;
import dev.flows.proto.flow.CiliumEventType;
import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.FlowType;
import dev.flows.proto.flow.ICMPv4;
import dev.flows.proto.flow.ICMPv6;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.IPVersion;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.ReportReason;
import dev.flows.proto.flow.TCP;
import dev.flows.proto.flow.TrafficDirection;
import dev.flows.proto.flow.UDP;
import dev.flows.proto.flow.Verdict;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.LongSupplier;

/**
 * Turns one ring record ({@code bpf/include/flows_event.h}) into a {@link Flow}.
 *
 * <p>A translating hook reports the packet as it arrived and as it left. The flow names the real
 * peers: IP.source is the source as the packet arrived (the pod before SNAT, the backend before
 * reverse DNAT), IP.destination the destination as it left (the backend after DNAT, the pod after
 * reverse SNAT); IP.source_xlated is the source after SNAT. The service frontend is
 * destination_service on requests and source_service on replies. A translated packet's verdict
 * is TRANSLATED and its summary shows the rewrite. See proto/src/main/proto/flow/flow.proto.
 *
 * <p>A policy verdict (type 5) is FORWARDED when allowed and DROPPED when denied, as Hubble reports
 * it, with its direction and match type; a policy drop (type 1, POLICY_DENIED) is denied in the
 * direction of its hook.
 *
 * <p>The decoder names nothing it cannot read from the event: the service frontend id and the
 * policy decision travel beside the flow in a {@link DecodedEvent}, for the enrich stage to name
 * (and to append the policies to the summary, which ends with the decision for that reason).
 *
 * <p>Not thread-safe: one processing thread owns a decoder. Address and MAC strings are cached,
 * and per-flag-byte messages are precomputed, because this runs for every event.
 */
public final class Decoder {
    private static final int IPPROTO_ICMP = 1;
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_UDP = 17;
    private static final int IPPROTO_ICMPV6 = 58;
    private static final int DIR_REQUEST = 1;
    private static final int DIR_REPLY = 2;

    private static final BoolValue REPLY = BoolValue.of(true);
    private static final BoolValue REQUEST = BoolValue.of(false);
    private static final CiliumEventType[] TRACE_TYPES = new CiliumEventType[ObservationPoint.values().length];

    static {
        for (ObservationPoint p : ObservationPoint.values()) {
            TRACE_TYPES[p.code()] = CiliumEventType.newBuilder()
                    .setType(EventType.TRACE.code()).setSubType(p.code()).build();
        }
    }

    private final String nodeName;
    private final LongSupplier wallMinusBootNanos;
    /** Addresses, MACs and interfaces as strings and messages, built once per distinct value. */
    private final WireNames wire = new WireNames();

    /**
     * @param nodeName written into every flow
     * @param wallMinusBootNanos wall clock minus boot clock, in ns: the clock seam that turns the
     *     kernel's boot-time stamps into wall time (see {@link dev.flows.collector.bpf.BootClock})
     */
    public Decoder(String nodeName, LongSupplier wallMinusBootNanos) {
        this.nodeName = nodeName;
        this.wallMinusBootNanos = wallMinusBootNanos;
    }

    /**
     * Decodes the record at {@code [off, off + len)} into {@code out} (which it clears first).
     *
     * @return null on success, else why the record is not a flow
     */
    public DecodeError decode(ByteBuffer buf, int off, int len, DecodedEvent out) {
        if (len < HDR_SIZE || off < 0 || off + len > buf.limit()) {
            return DecodeError.SHORT_RECORD;
        }
        ByteBuffer b = buf.order() == ByteOrder.nativeOrder() ? buf : buf.duplicate().order(ByteOrder.nativeOrder());
        int recLen = b.getShort(off + HDR_LEN) & 0xffff;
        if (recLen != len) {
            return DecodeError.LENGTH_MISMATCH;
        }
        if ((b.get(off + HDR_VERSION) & 0xff) != VERSION) {
            return DecodeError.UNSUPPORTED_VERSION;
        }
        int type = b.get(off + HDR_TYPE) & 0xff;
        if (type == EventType.TRACE.code()) {
            return len < TRACE_SIZE ? DecodeError.SHORT_RECORD : decodeTrace(b, off, out);
        }
        if (type == EventType.DROP.code()) {
            return len < DROP_SIZE ? DecodeError.SHORT_RECORD : decodeDrop(b, off, out);
        }
        if (type == EventType.POLICY_VERDICT.code()) {
            return len < VERDICT_SIZE ? DecodeError.SHORT_RECORD : decodeVerdict(b, off, out);
        }
        return DecodeError.UNKNOWN_TYPE;
    }

    /** Convenience for tests and tools: the flow (named nothing), or null when the record does not decode. */
    public Flow decode(ByteBuffer buf, int off, int len) {
        DecodedEvent e = new DecodedEvent();
        return decode(buf, off, len, e) == null ? e.flow().build() : null;
    }

    private DecodeError decodeTrace(ByteBuffer b, int off, DecodedEvent event) {
        ObservationPoint point = ObservationPoint.of(b.get(off + HDR_SUBTYPE) & 0xff);
        if (point == null) {
            return DecodeError.INVALID_FIELD;
        }
        int t = off + TRACE_TUPLE;
        int xlate = b.get(off + TRACE_XLATE) & 0xff;
        // Without a translation the tuple left as it arrived; xlate_tuple is read only when set.
        int after = xlate == 0 ? t : off + TRACE_XLATE_TUPLE;
        Flow.Builder out = event.clear().flow();
        DecodeError err = tuple(b, t, after, out);
        if (err != null) {
            return err;
        }
        header(b, off, out);
        out.setVerdict(xlate == 0 ? Verdict.FORWARDED : Verdict.TRANSLATED)
                .setEventType(TRACE_TYPES[point.code()])
                .setTraceObservationPoint(point.proto());
        out.setEthernet(wire.ethernet(b, off + TRACE_SMAC, off + TRACE_DMAC));

        int direction = b.get(off + TRACE_DIRECTION) & 0xff;
        Boolean reply = direction == DIR_REQUEST ? Boolean.FALSE : direction == DIR_REPLY ? Boolean.TRUE : null;
        if (reply != null) {
            out.setIsReply(reply ? REPLY : REQUEST);
            out.setReply(reply);
        }
        out.setTrafficDirection(point.direction(reply));
        l4(b, t, after, off + TRACE_TCP_FLAGS, off + TRACE_ICMP_TYPE, off + TRACE_ICMP_CODE, out);
        event.serviceId(b.getInt(off + TRACE_SERVICE_ID));
        if (xlate != 0) {
            out.setSummary(out.getSummary() + Translations.describe(xlate, b, t, off + TRACE_XLATE_TUPLE));
        }
        ReportReason why = ReportReason.forNumber(b.get(off + TRACE_REASON) & 0xff);
        long packets = b.getLong(off + TRACE_PACKETS);
        out.setPackets(packets)
                .setBytes(b.getLong(off + TRACE_BYTES))
                .setReportReason(why == null ? ReportReason.REPORT_REASON_UNKNOWN : why);
        if (why == ReportReason.REPORT_FLUSH) {
            out.setSummary(out.getSummary() + "; " + packets + (packets == 1 ? " packet" : " packets") + " since the last report");
        }
        return null;
    }

    private DecodeError decodeDrop(ByteBuffer b, int off, DecodedEvent event) {
        int reason = b.get(off + HDR_SUBTYPE) & 0xff;
        int t = off + DROP_TUPLE;
        Flow.Builder out = event.clear().flow();
        DecodeError err = tuple(b, t, t, out);
        if (err != null) {
            return err;
        }
        header(b, off, out);
        DropReason desc = DropReason.forNumber(reason);
        out.setVerdict(Verdict.DROPPED)
                .setDropReason(reason)
                .setDropReasonDesc(desc == null ? DropReason.DROP_REASON_UNKNOWN : desc)
                .setEventType(CiliumEventType.newBuilder().setType(EventType.DROP.code()).setSubType(reason));
        out.setEthernet(wire.ethernet(b, off + DROP_SMAC, off + DROP_DMAC));
        out.setPackets(1).setBytes(b.getInt(off + DROP_PKT_LEN) & 0xffffffffL);
        ObservationPoint point = ObservationPoint.of(b.get(off + HDR_OBS_POINT) & 0xff);
        if (point != null) {
            out.setTrafficDirection(point.direction(Boolean.FALSE));
        }
        l4(b, t, t, off + DROP_TCP_FLAGS, off + DROP_ICMP_TYPE, off + DROP_ICMP_CODE, out);
        event.serviceId(b.getInt(off + DROP_SERVICE_ID));
        if (desc == DropReason.POLICY_DENIED && point != null) {
            event.policy(PolicyDecision.of(point == ObservationPoint.FROM_ENDPOINT, false), DecodedEvent.NO_ID);
        }
        out.setSummary(out.getSummary() + "; dropped: " + (desc == null ? "reason " + reason : desc.name()));
        return null;
    }

    private DecodeError decodeVerdict(ByteBuffer b, int off, DecodedEvent event) {
        int t = off + VERDICT_TUPLE;
        Flow.Builder out = event.clear().flow();
        DecodeError err = tuple(b, t, t, out);
        if (err != null) {
            return err;
        }
        int direction = b.get(off + VERDICT_DIRECTION) & 0xff;
        if (direction != POLICY_INGRESS && direction != POLICY_EGRESS) {
            return DecodeError.INVALID_FIELD;
        }
        boolean egress = direction == POLICY_EGRESS;
        int action = b.get(off + VERDICT_ACTION) & 0xff;
        boolean allowed = action == POLICY_ACTION_ALLOW;
        // forwarded, but what an audit-mode policy would deny: named as a denial is
        boolean audit = action == POLICY_ACTION_AUDIT;
        header(b, off, out);
        out.setVerdict(allowed ? Verdict.FORWARDED : audit ? Verdict.AUDIT : Verdict.DROPPED)
                .setEventType(CiliumEventType.newBuilder().setType(EventType.POLICY_VERDICT.code()))
                .setTrafficDirection(egress ? TrafficDirection.EGRESS : TrafficDirection.INGRESS)
                .setPolicyMatchType(b.get(off + VERDICT_MATCH_TYPE) & 0xff)
                .setIsReply(REQUEST);
        l4(b, t, t, off + VERDICT_TCP_FLAGS, off + VERDICT_ICMP_TYPE, off + VERDICT_ICMP_CODE, out);
        if (!allowed && !audit) {
            out.setDropReason(DropReason.POLICY_DENIED_VALUE).setDropReasonDesc(DropReason.POLICY_DENIED);
        }
        event.policy(PolicyDecision.of(egress, allowed), b.getInt(off + VERDICT_POLICY_ID));
        out.setSummary(out.getSummary() + "; policy " + (egress ? "egress " : "ingress ") + (allowed ? "allowed" : audit ? "audit" : "denied"));
        return null;
    }

    /** Time, node and interface: the common header. */
    private void header(ByteBuffer b, int off, Flow.Builder out) {
        long ts = b.getLong(off + HDR_TS_NS) + wallMinusBootNanos.getAsLong();
        out.setTime(Timestamp.newBuilder()
                .setSeconds(Math.floorDiv(ts, 1_000_000_000L))
                .setNanos((int) Math.floorMod(ts, 1_000_000_000L)));
        out.setType(FlowType.L3_L4)
                .setNodeName(nodeName)
                .setInterface(wire.iface(b.getInt(off + HDR_IFINDEX)));
    }

    /** IP from the tuple as it arrived (t) and as it left (after); see the class comment. */
    private DecodeError tuple(ByteBuffer b, int t, int after, Flow.Builder out) {
        int family = b.get(t + TUPLE_FAMILY) & 0xff;
        IP.Builder ip = IP.newBuilder();
        if (family == 4) {
            ip.setSource(wire.ipv4(b.getInt(t + TUPLE_SADDR))).setDestination(wire.ipv4(b.getInt(after + TUPLE_DADDR)))
                    .setIpVersion(IPVersion.IPv4);
            if (after != t && b.getInt(after + TUPLE_SADDR) != b.getInt(t + TUPLE_SADDR)) {
                ip.setSourceXlated(wire.ipv4(b.getInt(after + TUPLE_SADDR)));
            }
        } else if (family == 6) {
            ip.setSource(wire.ipv6(b, t + TUPLE_SADDR)).setDestination(wire.ipv6(b, after + TUPLE_DADDR))
                    .setIpVersion(IPVersion.IPv6);
        } else {
            return DecodeError.INVALID_FIELD;
        }
        out.setIP(ip);
        return null;
    }

    private void l4(ByteBuffer b, int t, int after, int flagsAt, int icmpTypeAt, int icmpCodeAt, Flow.Builder out) {
        int proto = b.get(t + TUPLE_PROTO) & 0xff;
        int sport = b.getShort(t + TUPLE_SPORT) & 0xffff;
        int dport = b.getShort(after + TUPLE_DPORT) & 0xffff;
        switch (proto) {
            case IPPROTO_TCP: {
                int flags = b.get(flagsAt) & 0xff;
                out.setL4(Layer4.newBuilder().setTCP(TCP.newBuilder()
                        .setSourcePort(sport).setDestinationPort(dport)
                        .setFlags(Summaries.tcpFlags(flags))));
                out.setSummary(Summaries.tcp(flags));
                break;
            }
            case IPPROTO_UDP:
                out.setL4(Layer4.newBuilder().setUDP(UDP.newBuilder()
                        .setSourcePort(sport).setDestinationPort(dport)));
                out.setSummary("UDP");
                break;
            case IPPROTO_ICMP: {
                int type = b.get(icmpTypeAt) & 0xff;
                out.setL4(Layer4.newBuilder().setICMPv4(ICMPv4.newBuilder()
                        .setType(type).setCode(b.get(icmpCodeAt) & 0xff)));
                out.setSummary(Summaries.icmpv4(type));
                break;
            }
            case IPPROTO_ICMPV6: {
                int type = b.get(icmpTypeAt) & 0xff;
                out.setL4(Layer4.newBuilder().setICMPv6(ICMPv6.newBuilder()
                        .setType(type).setCode(b.get(icmpCodeAt) & 0xff)));
                out.setSummary(Summaries.icmpv6(type));
                break;
            }
            default:
                // An L3 flow of another protocol: still worth showing, without an L4 section.
                out.setSummary("IP protocol " + proto);
        }
    }
}
