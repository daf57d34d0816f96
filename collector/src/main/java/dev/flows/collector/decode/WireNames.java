package dev.flows.collector.decode;

import dev.flows.observer.net.Addresses;
import dev.flows.proto.flow.Ethernet;
import dev.flows.proto.flow.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * The decoder's strings and small messages for what repeats from event to event (addresses, MACs,
 * Ethernet pairs, interfaces), each built once per distinct value and kept in a bounded cache
 * (cleared when full), so the hot path mostly looks them up. One thread only, as the decoder.
 */
final class WireNames {
    private static final int CACHE_LIMIT = 1 << 16;

    private final Map<Integer, String> ipv4Cache = new HashMap<>();
    private final Map<Ipv6Key, String> ipv6Cache = new HashMap<>();
    private final Map<Long, String> macCache = new HashMap<>();
    private final Map<Integer, NetworkInterface> ifaceCache = new HashMap<>();
    private final Map<Ipv6Key, Ethernet> ethernetCache = new HashMap<>();

    String ipv4(int nativeInt) {
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

    String ipv6(ByteBuffer b, int at) {
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

    String mac(ByteBuffer b, int at) {
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
    Ethernet ethernet(ByteBuffer b, int smacAt, int dmacAt) {
        long s = macKey(b, smacAt);
        long d = macKey(b, dmacAt);
        Ipv6Key key = new Ipv6Key(s, d);
        Ethernet e = ethernetCache.get(key);
        if (e == null) {
            if (ethernetCache.size() >= CACHE_LIMIT) {
                ethernetCache.clear();
            }
            e = Ethernet.newBuilder().setSource(mac(b, smacAt)).setDestination(mac(b, dmacAt)).build();
            ethernetCache.put(key, e);
        }
        return e;
    }

    private static long macKey(ByteBuffer b, int at) {
        return ((long) (b.getShort(at + 4) & 0xffff) << 32) | (b.getInt(at) & 0xffffffffL);
    }

    NetworkInterface iface(int ifindex) {
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
