package dev.flows.collector.policy;

import dev.flows.observer.net.Ipv4Prefix;

import static dev.flows.collector.policy.PolicyMapLayout.PREFIX_ANY_PORT;
import static dev.flows.collector.policy.PolicyMapLayout.PREFIX_ANY_PROTOCOL;
import static dev.flows.collector.policy.PolicyMapLayout.PREFIX_FULL;
import static dev.flows.collector.policy.PolicyMapLayout.PREFIX_PORT_BITS_START;

import dev.flows.cluster.NetworkPolicy.Direction;
import java.util.function.Consumer;

/**
 * A policy map key (struct policy_key). Fields past {@code prefixLen} are zero, so equal
 * prefixes are equal keys.
 *
 * @param endpointId the local pod's IPv4 address (see {@link #endpointId(String)})
 * @param direction {@link #INGRESS} or {@link #EGRESS}
 * @param protocol an IP protocol number, 0 when wildcarded
 * @param port the destination port, its bits past the prefix zero
 * @param prefixLen bits matched after the prefixlen field: 96 (any protocol) to 128 (one port)
 */
public record PolicyKey(int endpointId, int direction, int remoteIdentity, int protocol, int port, int prefixLen) {
    public static final int INGRESS = 0;
    public static final int EGRESS = 1;

    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int SCTP = 132;

    /** The endpoint id of a local pod: its address, which the program reads from the packet. */
    public static int endpointId(String podIP) {
        return Ipv4Prefix.parse(podIP).addr();
    }

    public static int direction(Direction d) {
        return d == Direction.INGRESS ? INGRESS : EGRESS;
    }

    public static int protocol(String name) {
        return switch (name) {
            case "TCP" -> TCP;
            case "UDP" -> UDP;
            case "SCTP" -> SCTP;
            default -> throw new IllegalArgumentException("protocol '" + name + "' is not TCP, UDP or SCTP");
        };
    }

    public static PolicyKey anyProtocol(int endpointId, int direction, int remote) {
        return new PolicyKey(endpointId, direction, remote, 0, 0, PREFIX_ANY_PROTOCOL);
    }

    public static PolicyKey anyPort(int endpointId, int direction, int remote, int protocol) {
        return new PolicyKey(endpointId, direction, remote, protocol, 0, PREFIX_ANY_PORT);
    }

    public static PolicyKey port(int endpointId, int direction, int remote, int protocol, int port) {
        return new PolicyKey(endpointId, direction, remote, protocol, port, PREFIX_FULL);
    }

    /** The fewest keys whose ports cover exactly {@code from..to}, each an aligned power-of-two block. */
    public static void portRange(int endpointId, int direction, int remote, int protocol, int from, int to, Consumer<PolicyKey> out) {
        int p = from;
        while (p <= to) {
            int size = Integer.lowestOneBit(p);
            while (p + size - 1 > to) {
                size >>= 1;
            }
            int bits = 16 - Integer.numberOfTrailingZeros(size);
            out.accept(new PolicyKey(endpointId, direction, remote, protocol, p, PREFIX_PORT_BITS_START + bits));
            p += size;
        }
    }
}
