package dev.flows.relay.export;

import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.Layer4;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The direction-agnostic key of a flow's connection: the same for the request and the reply, and
 * for every node that observed the connection, so exporters can keep a connection together (one
 * Kafka partition, one trace).
 *
 * <p>The key is text, UTF-8 encoded: {@code PROTO ENDPOINT ENDPOINT}, single spaces, where
 * <ul>
 *   <li>PROTO is {@code tcp}, {@code udp}, {@code sctp}, {@code icmp}, {@code icmpv6}, or {@code ip}
 *       when the flow has no layer 4;
 *   <li>an ENDPOINT is {@code ADDRESS:PORT} (IPv6 in brackets, {@code [fd00::1]:80}) as the flow's
 *       IP and layer 4 carry them; ICMP and {@code ip} have port 0 (an echo and its reply have
 *       different ICMP types, so the type cannot be part of the key);
 *   <li>the two endpoints are in ascending order of their UTF-8 bytes (unsigned), so swapping
 *       source and destination gives the same key.
 * </ul>
 * Example: {@code tcp 10.244.1.12:8080 10.244.2.7:43512}. Addresses are those the flow reports:
 * a connection to a service address and its translated half (after DNAT) have different keys.
 */
public record ConnectionKey(String text) {
    /** The key of the flow's connection, or null when the flow has no IP addresses. */
    public static ConnectionKey of(Flow f) {
        if (!f.hasIP() || f.getIP().getSource().isEmpty() || f.getIP().getDestination().isEmpty()) {
            return null;
        }
        Layer4 l4 = f.getL4();
        String proto;
        int sport = 0;
        int dport = 0;
        switch (l4.getProtocolCase()) {
            case TCP -> {
                proto = "tcp";
                sport = l4.getTCP().getSourcePort();
                dport = l4.getTCP().getDestinationPort();
            }
            case UDP -> {
                proto = "udp";
                sport = l4.getUDP().getSourcePort();
                dport = l4.getUDP().getDestinationPort();
            }
            case SCTP -> {
                proto = "sctp";
                sport = l4.getSCTP().getSourcePort();
                dport = l4.getSCTP().getDestinationPort();
            }
            case ICMPV4 -> proto = "icmp";
            case ICMPV6 -> proto = "icmpv6";
            default -> proto = "ip";
        }
        String a = endpoint(f.getIP().getSource(), sport);
        String b = endpoint(f.getIP().getDestination(), dport);
        boolean swap = Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)) > 0;
        return new ConnectionKey(proto + " " + (swap ? b : a) + " " + (swap ? a : b));
    }

    /** The key as Kafka and trace ids take it: its UTF-8 bytes. */
    public byte[] bytes() {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String endpoint(String address, int port) {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }
}
