package dev.flows.collector.decode;

import dev.flows.observer.net.Addresses;

import static dev.flows.collector.decode.EventLayout.*;

import java.nio.ByteBuffer;

/**
 * The summary text of a translation, e.g. "; DNAT 10.96.10.20:8080 => 10.244.2.11:8080": the
 * one place a flow shows the frontend address and port a DNAT replaced, or the node address and
 * port a SNAT chose. Only translated events (a minority) pay for it.
 */
final class Translations {
    private Translations() {}

    /** @param before the tuple as the packet arrived; after: as it left */
    static String describe(int xlate, ByteBuffer b, int before, int after) {
        StringBuilder sb = new StringBuilder();
        if ((xlate & XLATE_DNAT) != 0) {
            sb.append("; DNAT ").append(endpoint(b, before + TUPLE_DADDR, before + TUPLE_DPORT))
                    .append(" => ").append(endpoint(b, after + TUPLE_DADDR, after + TUPLE_DPORT));
        }
        if ((xlate & XLATE_SNAT) != 0) {
            sb.append("; SNAT ").append(endpoint(b, before + TUPLE_SADDR, before + TUPLE_SPORT))
                    .append(" => ").append(endpoint(b, after + TUPLE_SADDR, after + TUPLE_SPORT));
        }
        if ((xlate & XLATE_REV_DNAT) != 0) {
            sb.append("; reverse DNAT ").append(endpoint(b, before + TUPLE_SADDR, before + TUPLE_SPORT))
                    .append(" => ").append(endpoint(b, after + TUPLE_SADDR, after + TUPLE_SPORT));
        }
        if ((xlate & XLATE_REV_SNAT) != 0) {
            sb.append("; reverse SNAT ").append(endpoint(b, before + TUPLE_DADDR, before + TUPLE_DPORT))
                    .append(" => ").append(endpoint(b, after + TUPLE_DADDR, after + TUPLE_DPORT));
        }
        return sb.toString();
    }

    /** NAT is IPv4 only (nat.h). */
    private static String endpoint(ByteBuffer b, int addrAt, int portAt) {
        int a = b.getInt(addrAt);
        int be = b.order() == java.nio.ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(a) : a;
        return Addresses.ipv4(be) + ":" + (b.getShort(portAt) & 0xffff);
    }
}
