package dev.flows.collector.decode;

import static dev.flows.collector.decode.EventLayout.*;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Timestamp;
import dev.flows.proto.flow.CiliumEventType;
import dev.flows.proto.flow.Ethernet;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.FlowType;
import dev.flows.proto.flow.ICMPv4;
import dev.flows.proto.flow.ICMPv6;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.IPVersion;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.NetworkInterface;
import dev.flows.proto.flow.TCP;
import dev.flows.proto.flow.UDP;
import dev.flows.proto.flow.Verdict;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Turns one ring record ({@code bpf/include/flows_event.h}) into a {@link Flow}.
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
    private static final int CACHE_LIMIT = 1 << 16;

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
    private final Map<Integer, String> ipv4Cache = new HashMap<>();
    private final Map<Ipv6Key, String> ipv6Cache = new HashMap<>();
    private final Map<Long, String> macCache = new HashMap<>();
    private final Map<Integer, NetworkInterface> ifaceCache = new HashMap<>();
    private final Map<Ipv6Key, Ethernet> ethernetCache = new HashMap<>();

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
    public DecodeError decode(ByteBuffer buf, int off, int len, Flow.Builder out) {
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
        if (type != EventType.TRACE.code()) {
            return DecodeError.UNKNOWN_TYPE;
        }
        if (len < TRACE_SIZE) {
            return DecodeError.SHORT_RECORD;
        }
        return decodeTrace(b, off, out);
    }

    /** Convenience for tests and tools: the flow, or null when the record does not decode. */
    public Flow decode(ByteBuffer buf, int off, int len) {
        Flow.Builder fb = Flow.newBuilder();
        return decode(buf, off, len, fb) == null ? fb.build() : null;
    }

    private DecodeError decodeTrace(ByteBuffer b, int off, Flow.Builder out) {
        ObservationPoint point = ObservationPoint.of(b.get(off + HDR_SUBTYPE) & 0xff);
        if (point == null) {
            return DecodeError.INVALID_FIELD;
        }
        int t = off + TRACE_TUPLE;
        int family = b.get(t + TUPLE_FAMILY) & 0xff;
        String src;
        String dst;
        IPVersion version;
        if (family == 4) {
            src = ipv4(b.getInt(t + TUPLE_SADDR));
            dst = ipv4(b.getInt(t + TUPLE_DADDR));
            version = IPVersion.IPv4;
        } else if (family == 6) {
            src = ipv6(b, t + TUPLE_SADDR);
            dst = ipv6(b, t + TUPLE_DADDR);
            version = IPVersion.IPv6;
        } else {
            return DecodeError.INVALID_FIELD;
        }
        out.clear();
        long ts = b.getLong(off + HDR_TS_NS) + wallMinusBootNanos.getAsLong();
        out.setTime(Timestamp.newBuilder()
                .setSeconds(Math.floorDiv(ts, 1_000_000_000L))
                .setNanos((int) Math.floorMod(ts, 1_000_000_000L)));
        out.setVerdict(Verdict.FORWARDED)
                .setType(FlowType.L3_L4)
                .setNodeName(nodeName)
                .setEventType(TRACE_TYPES[point.code()])
                .setTraceObservationPoint(point.proto())
                .setInterface(iface(b.getInt(off + HDR_IFINDEX)));
        out.setEthernet(ethernet(b, off));
        out.setIP(IP.newBuilder().setSource(src).setDestination(dst).setIpVersion(version));

        int direction = b.get(off + TRACE_DIRECTION) & 0xff;
        Boolean reply = direction == DIR_REQUEST ? Boolean.FALSE : direction == DIR_REPLY ? Boolean.TRUE : null;
        if (reply != null) {
            out.setIsReply(reply ? REPLY : REQUEST);
            out.setReply(reply);
        }
        out.setTrafficDirection(point.direction(reply));

        int proto = b.get(t + TUPLE_PROTO) & 0xff;
        int sport = b.getShort(t + TUPLE_SPORT) & 0xffff;
        int dport = b.getShort(t + TUPLE_DPORT) & 0xffff;
        switch (proto) {
            case IPPROTO_TCP: {
                int flags = b.get(off + TRACE_TCP_FLAGS) & 0xff;
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
                int type = b.get(off + TRACE_ICMP_TYPE) & 0xff;
                out.setL4(Layer4.newBuilder().setICMPv4(ICMPv4.newBuilder()
                        .setType(type).setCode(b.get(off + TRACE_ICMP_CODE) & 0xff)));
                out.setSummary(Summaries.icmpv4(type));
                break;
            }
            case IPPROTO_ICMPV6: {
                int type = b.get(off + TRACE_ICMP_TYPE) & 0xff;
                out.setL4(Layer4.newBuilder().setICMPv6(ICMPv6.newBuilder()
                        .setType(type).setCode(b.get(off + TRACE_ICMP_CODE) & 0xff)));
                out.setSummary(Summaries.icmpv6(type));
                break;
            }
            default:
                // An L3 flow of another protocol: still worth showing, without an L4 section.
                out.setSummary("IP protocol " + proto);
        }
        return null;
    }

    private String ipv4(int nativeInt) {
        // The address bytes are in network order; read as a native (little-endian) int they are
        // reversed, so flip them once here.
        int be = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(nativeInt) : nativeInt;
        String s = ipv4Cache.get(be);
        if (s == null) {
            if (ipv4Cache.size() >= CACHE_LIMIT) {
                ipv4Cache.clear();
            }
            s = Addresses.ipv4(be);
            ipv4Cache.put(be, s);
        }
        return s;
    }

    private String ipv6(ByteBuffer b, int at) {
        Ipv6Key key = new Ipv6Key(b.getLong(at), b.getLong(at + 8));
        String s = ipv6Cache.get(key);
        if (s == null) {
            if (ipv6Cache.size() >= CACHE_LIMIT) {
                ipv6Cache.clear();
            }
            s = Addresses.ipv6(b, at);
            ipv6Cache.put(key, s);
        }
        return s;
    }

    private String mac(ByteBuffer b, int at) {
        long key = macKey(b, at);
        String s = macCache.get(key);
        if (s == null) {
            if (macCache.size() >= CACHE_LIMIT) {
                macCache.clear();
            }
            s = Addresses.mac(b, at);
            macCache.put(key, s);
        }
        return s;
    }

    /** Ethernet messages per MAC pair: a pod talks to few neighbours, so this stays small. */
    private Ethernet ethernet(ByteBuffer b, int off) {
        long s = macKey(b, off + TRACE_SMAC);
        long d = macKey(b, off + TRACE_DMAC);
        Ipv6Key key = new Ipv6Key(s, d);
        Ethernet e = ethernetCache.get(key);
        if (e == null) {
            if (ethernetCache.size() >= CACHE_LIMIT) {
                ethernetCache.clear();
            }
            e = Ethernet.newBuilder().setSource(mac(b, off + TRACE_SMAC)).setDestination(mac(b, off + TRACE_DMAC)).build();
            ethernetCache.put(key, e);
        }
        return e;
    }

    private static long macKey(ByteBuffer b, int at) {
        return ((long) (b.getShort(at + 4) & 0xffff) << 32) | (b.getInt(at) & 0xffffffffL);
    }

    private NetworkInterface iface(int ifindex) {
        NetworkInterface n = ifaceCache.get(ifindex);
        if (n == null) {
            if (ifaceCache.size() >= CACHE_LIMIT) {
                ifaceCache.clear();
            }
            n = NetworkInterface.newBuilder().setIndex(ifindex).build();
            ifaceCache.put(ifindex, n);
        }
        return n;
    }

    /** Two longs: an IPv6 address, or a MAC pair. */
    private record Ipv6Key(long hi, long lo) {}
}
