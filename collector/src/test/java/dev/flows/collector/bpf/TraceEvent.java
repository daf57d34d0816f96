package dev.flows.collector.bpf;

import dev.flows.collector.decode.EventLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A trace or drop event as the tests read it back from the ring, decoded with EventLayout's
 * offsets. A drop event fills the header, the tuple (src..family), tcpFlags, pktLen and serviceId;
 * its subtype is the drop reason.
 */
record TraceEvent(long tsNs, int ifindex, int len, int type, int subtype, int version, int obsPoint,
        String src, String dst, int sport, int dport, int proto, int family, int tcpFlags, int reason,
        int icmpType, int icmpCode, int pktLen, int direction, long packets, long bytes, byte[] smac,
        String xSrc, String xDst, int xSport, int xDport, int serviceId, int xlate, int ctState) {

    static final int TRACE = 4, DROP = 1;
    static final int XLATE_DNAT = 1, XLATE_SNAT = 2, XLATE_REV_DNAT = 4, XLATE_REV_SNAT = 8;
    static final int REPORT_DECISION = 5;
    static final int CT_NONE = 0, CT_NEW = 1, CT_ESTABLISHED = 2, CT_CLOSING = 3;
    static final int OBS_TO_ENDPOINT = 0, OBS_FROM_ENDPOINT = 5, OBS_FROM_NETWORK = 10, OBS_TO_NETWORK = 11;
    static final int REPORT_FIRST = 1, REPORT_NEW_FLAGS = 2, REPORT_INTERVAL = 3, REPORT_EVERY = 4, REPORT_FLUSH = 6;
    static final int DIR_UNKNOWN = 0, DIR_REQUEST = 1, DIR_REPLY = 2;

    static TraceEvent decode(ByteBuffer b, int off, int length) {
        if (b.get(off + EventLayout.HDR_TYPE) == DROP) {
            return decodeDrop(b, off);
        }
        int t = off + EventLayout.TRACE_TUPLE;
        int x = off + EventLayout.TRACE_XLATE_TUPLE;
        int family = b.get(t + EventLayout.TUPLE_FAMILY);
        return new TraceEvent(
                b.getLong(off + EventLayout.HDR_TS_NS),
                b.getInt(off + EventLayout.HDR_IFINDEX),
                Short.toUnsignedInt(b.getShort(off + EventLayout.HDR_LEN)),
                b.get(off + EventLayout.HDR_TYPE),
                b.get(off + EventLayout.HDR_SUBTYPE),
                b.get(off + EventLayout.HDR_VERSION),
                b.get(off + EventLayout.HDR_OBS_POINT),
                ip(b, t + EventLayout.TUPLE_SADDR, family),
                ip(b, t + EventLayout.TUPLE_DADDR, family),
                Short.toUnsignedInt(b.getShort(t + EventLayout.TUPLE_SPORT)),
                Short.toUnsignedInt(b.getShort(t + EventLayout.TUPLE_DPORT)),
                Byte.toUnsignedInt(b.get(t + EventLayout.TUPLE_PROTO)),
                family,
                Byte.toUnsignedInt(b.get(off + EventLayout.TRACE_TCP_FLAGS)),
                b.get(off + EventLayout.TRACE_REASON),
                Byte.toUnsignedInt(b.get(off + EventLayout.TRACE_ICMP_TYPE)),
                Byte.toUnsignedInt(b.get(off + EventLayout.TRACE_ICMP_CODE)),
                b.getInt(off + EventLayout.TRACE_PKT_LEN),
                b.get(off + EventLayout.TRACE_DIRECTION),
                b.getLong(off + EventLayout.TRACE_PACKETS),
                b.getLong(off + EventLayout.TRACE_BYTES),
                bytes(b, off + EventLayout.TRACE_SMAC, 6),
                ip(b, x + EventLayout.TUPLE_SADDR, family),
                ip(b, x + EventLayout.TUPLE_DADDR, family),
                Short.toUnsignedInt(b.getShort(x + EventLayout.TUPLE_SPORT)),
                Short.toUnsignedInt(b.getShort(x + EventLayout.TUPLE_DPORT)),
                b.getInt(off + EventLayout.TRACE_SERVICE_ID),
                Byte.toUnsignedInt(b.get(off + EventLayout.TRACE_XLATE)),
                Byte.toUnsignedInt(b.get(off + EventLayout.TRACE_CT_STATE)));
    }

    private static TraceEvent decodeDrop(ByteBuffer b, int off) {
        int t = off + EventLayout.DROP_TUPLE;
        int family = b.get(t + EventLayout.TUPLE_FAMILY);
        String src = ip(b, t + EventLayout.TUPLE_SADDR, family);
        String dst = ip(b, t + EventLayout.TUPLE_DADDR, family);
        int sport = Short.toUnsignedInt(b.getShort(t + EventLayout.TUPLE_SPORT));
        int dport = Short.toUnsignedInt(b.getShort(t + EventLayout.TUPLE_DPORT));
        return new TraceEvent(
                b.getLong(off + EventLayout.HDR_TS_NS),
                b.getInt(off + EventLayout.HDR_IFINDEX),
                Short.toUnsignedInt(b.getShort(off + EventLayout.HDR_LEN)),
                b.get(off + EventLayout.HDR_TYPE),
                Byte.toUnsignedInt(b.get(off + EventLayout.HDR_SUBTYPE)),
                b.get(off + EventLayout.HDR_VERSION),
                b.get(off + EventLayout.HDR_OBS_POINT),
                src, dst, sport, dport,
                Byte.toUnsignedInt(b.get(t + EventLayout.TUPLE_PROTO)),
                family,
                Byte.toUnsignedInt(b.get(off + EventLayout.DROP_TCP_FLAGS)),
                0, 0, 0,
                b.getInt(off + EventLayout.DROP_PKT_LEN),
                0, 1, 0,
                bytes(b, off + EventLayout.DROP_SMAC, 6),
                src, dst, sport, dport,
                b.getInt(off + EventLayout.DROP_SERVICE_ID),
                0, 0);
    }

    /** Everything in the ring now. */
    static List<TraceEvent> drain(RingBufferReader reader) {
        List<TraceEvent> out = new ArrayList<>();
        reader.drain((buf, off, len) -> out.add(decode(buf, off, len)));
        return out;
    }

    private static String ip(ByteBuffer b, int off, int family) {
        try {
            return InetAddress.getByAddress(bytes(b, off, family == 6 ? 16 : 4)).getHostAddress();
        } catch (UnknownHostException e) {
            return "?";
        }
    }

    private static byte[] bytes(ByteBuffer b, int off, int n) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = b.get(off + i);
        }
        return out;
    }

    @Override
    public String toString() {
        return (type == DROP ? "DropEvent[reason=" + subtype + " " : "TraceEvent[")
                + "obs=" + obsPoint + " if=" + ifindex + " " + src + ":" + sport + " -> " + dst + ":" + dport
                + (xlate != 0 ? " xlate=" + xlate + " => " + xSrc + ":" + xSport + " -> " + xDst + ":" + xDport : "")
                + " svc=" + serviceId + " ct=" + ctState
                + " proto=" + proto + " flags=0x" + Integer.toHexString(tcpFlags) + " reason=" + reason
                + " dir=" + direction + " pkts=" + packets + " bytes=" + bytes + " icmp=" + icmpType
                + " smac=" + Arrays.toString(smac) + "]";
    }
}
