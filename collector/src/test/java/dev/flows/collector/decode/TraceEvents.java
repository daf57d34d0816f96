package dev.flows.collector.decode;

import dev.flows.observer.events.EventType;
import dev.flows.observer.events.ObservationPoint;
import dev.flows.observer.net.Addresses;

import static dev.flows.collector.decode.EventLayout.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Synthesizes trace_event records byte by byte, as the BPF programs write them. */
public final class TraceEvents {
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ICMP = 1;
    public static final int ICMPV6 = 58;

    private final ByteBuffer b = ByteBuffer.allocate(TRACE_SIZE).order(ByteOrder.nativeOrder());

    private TraceEvents() {
        b.putShort(HDR_LEN, (short) TRACE_SIZE);
        b.put(HDR_TYPE, (byte) EventType.TRACE.code());
        b.put(HDR_VERSION, (byte) VERSION);
        b.put(TRACE_SMAC, new byte[] {0x0a, 0x58, 0x0a, (byte) 0xf4, 0x01, 0x05});
        b.put(TRACE_DMAC, new byte[] {(byte) 0xee, (byte) 0xff, 0, 0, 0, 1});
    }

    /** A TCP SYN request from 10.244.1.5:40000 to 10.244.2.7:8080 seen from-endpoint. */
    public static TraceEvents tcp(String src, int sport, String dst, int dport, int flags) {
        return new TraceEvents().ips(src, dst).proto(TCP).ports(sport, dport).flags(flags)
                .point(ObservationPoint.FROM_ENDPOINT).direction(1);
    }

    public static TraceEvents udp(String src, int sport, String dst, int dport) {
        return new TraceEvents().ips(src, dst).proto(UDP).ports(sport, dport)
                .point(ObservationPoint.FROM_ENDPOINT).direction(1);
    }

    public static TraceEvents icmp(String src, String dst, int type, int code) {
        TraceEvents t = new TraceEvents().ips(src, dst).point(ObservationPoint.FROM_ENDPOINT).direction(1);
        t.proto(src.indexOf(':') >= 0 ? ICMPV6 : ICMP);
        t.b.put(TRACE_ICMP_TYPE, (byte) type).put(TRACE_ICMP_CODE, (byte) code);
        return t;
    }

    public TraceEvents ips(String src, String dst) {
        byte[] s = Addresses.parseIp(src);
        byte[] d = Addresses.parseIp(dst);
        b.put(TRACE_TUPLE + TUPLE_SADDR, s).put(TRACE_TUPLE + TUPLE_DADDR, d);
        b.put(TRACE_TUPLE + TUPLE_FAMILY, (byte) (s.length == 4 ? 4 : 6));
        return this;
    }

    public TraceEvents proto(int p) {
        b.put(TRACE_TUPLE + TUPLE_PROTO, (byte) p);
        return this;
    }

    public TraceEvents ports(int sport, int dport) {
        b.putShort(TRACE_TUPLE + TUPLE_SPORT, (short) sport).putShort(TRACE_TUPLE + TUPLE_DPORT, (short) dport);
        return this;
    }

    public TraceEvents flags(int f) {
        b.put(TRACE_TCP_FLAGS, (byte) f);
        return this;
    }

    public TraceEvents point(ObservationPoint p) {
        b.put(HDR_SUBTYPE, (byte) p.code()).put(HDR_OBS_POINT, (byte) p.code());
        return this;
    }

    public TraceEvents direction(int d) {
        b.put(TRACE_DIRECTION, (byte) d);
        return this;
    }

    public TraceEvents ts(long bootNs) {
        b.putLong(HDR_TS_NS, bootNs);
        return this;
    }

    public TraceEvents ifindex(int i) {
        b.putInt(HDR_IFINDEX, i);
        return this;
    }

    public TraceEvents family(int f) {
        b.put(TRACE_TUPLE + TUPLE_FAMILY, (byte) f);
        return this;
    }

    public TraceEvents raw(int offset, int value) {
        b.put(offset, (byte) value);
        return this;
    }

    public TraceEvents lenField(int len) {
        b.putShort(HDR_LEN, (short) len);
        return this;
    }

    /** The tuple after the hook's translation and the translation bits (enum flows_xlate). */
    public TraceEvents xlate(int bits, String src, int sport, String dst, int dport) {
        int x = TRACE_XLATE_TUPLE;
        byte[] s = Addresses.parseIp(src);
        byte[] d = Addresses.parseIp(dst);
        b.put(x + TUPLE_SADDR, s).put(x + TUPLE_DADDR, d);
        b.putShort(x + TUPLE_SPORT, (short) sport).putShort(x + TUPLE_DPORT, (short) dport);
        b.put(x + TUPLE_PROTO, b.get(TRACE_TUPLE + TUPLE_PROTO)).put(x + TUPLE_FAMILY, b.get(TRACE_TUPLE + TUPLE_FAMILY));
        b.put(TRACE_XLATE, (byte) bits);
        return this;
    }

    public TraceEvents service(int id) {
        b.putInt(TRACE_SERVICE_ID, id);
        return this;
    }

    /**
     * A drop_event: the trace's tuple, MACs and flags moved to the drop layout, type DROP,
     * subtype the reason.
     */
    public byte[] asDrop(int reason, int serviceId) {
        ByteBuffer d = ByteBuffer.allocate(DROP_SIZE).order(ByteOrder.nativeOrder());
        d.put(0, b.array(), 0, HDR_SIZE);
        d.putShort(HDR_LEN, (short) DROP_SIZE).put(HDR_TYPE, (byte) EventType.DROP.code()).put(HDR_SUBTYPE, (byte) reason);
        d.put(DROP_TUPLE, b.array(), TRACE_TUPLE, TUPLE_SIZE);
        d.put(DROP_SMAC, b.array(), TRACE_SMAC, 12);
        d.put(DROP_TCP_FLAGS, b.get(TRACE_TCP_FLAGS));
        d.putInt(DROP_PKT_LEN, 74);
        d.putInt(DROP_SERVICE_ID, serviceId);
        return d.array();
    }

    /**
     * A policy_verdict_event: the trace's tuple and flags moved to the verdict layout, type
     * POLICY_VERDICT, with the decision.
     */
    public byte[] asVerdict(int direction, boolean allowed, int policyId, int matchType, int remoteIdentity) {
        ByteBuffer v = ByteBuffer.allocate(VERDICT_SIZE).order(ByteOrder.nativeOrder());
        v.put(0, b.array(), 0, HDR_SIZE);
        v.putShort(HDR_LEN, (short) VERDICT_SIZE).put(HDR_TYPE, (byte) EventType.POLICY_VERDICT.code())
                .put(HDR_SUBTYPE, (byte) matchType);
        v.put(VERDICT_TUPLE, b.array(), TRACE_TUPLE, TUPLE_SIZE);
        v.putInt(VERDICT_REMOTE_IDENTITY, remoteIdentity).putInt(VERDICT_POLICY_ID, policyId).putInt(VERDICT_PKT_LEN, 74);
        v.put(VERDICT_DIRECTION, (byte) direction).put(VERDICT_ACTION, (byte) (allowed ? POLICY_ACTION_ALLOW : 0))
                .put(VERDICT_MATCH_TYPE, (byte) matchType).put(VERDICT_TCP_FLAGS, b.get(TRACE_TCP_FLAGS));
        return v.array();
    }

    /** A copy of the record's bytes. */
    public byte[] bytes() {
        return b.array().clone();
    }
}
