package dev.flows.cli.top;

import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.Layer4;

/**
 * What {@code flows top} groups flows by: who talks to whom on which service port.
 *
 * <p>Replies are folded into their request's row (source and destination swapped back, the
 * server's port kept), so that a conversation is one row, not two: a user asks "who calls cart",
 * not "who answers frontend".
 *
 * @param source ns/pod, else "world" or "host" for those reserved identities, else the IP
 * @param proto TCP, UDP, SCTP, ICMPv4, ICMPv6 or "-" when the flow has no L4
 * @param port the server's port, 0 when the protocol has none
 */
public record PairKey(String source, String destination, String proto, int port) {

    /** The row a flow belongs to. */
    public static PairKey of(Flow f) {
        String src = name(f.getSource(), f.getIP().getSource());
        String dst = name(f.getDestination(), f.getIP().getDestination());
        Layer4 l4 = f.getL4();
        int srcPort;
        int dstPort;
        String proto;
        switch (l4.getProtocolCase()) {
            case TCP -> { proto = "TCP"; srcPort = l4.getTCP().getSourcePort(); dstPort = l4.getTCP().getDestinationPort(); }
            case UDP -> { proto = "UDP"; srcPort = l4.getUDP().getSourcePort(); dstPort = l4.getUDP().getDestinationPort(); }
            case SCTP -> { proto = "SCTP"; srcPort = l4.getSCTP().getSourcePort(); dstPort = l4.getSCTP().getDestinationPort(); }
            case ICMPV4 -> { proto = "ICMPv4"; srcPort = 0; dstPort = 0; }
            case ICMPV6 -> { proto = "ICMPv6"; srcPort = 0; dstPort = 0; }
            default -> { proto = "-"; srcPort = 0; dstPort = 0; }
        }
        if (f.hasIsReply() && f.getIsReply().getValue()) {
            return new PairKey(dst, src, proto, srcPort);
        }
        return new PairKey(src, dst, proto, dstPort);
    }

    /** PROTO/PORT column, e.g. TCP/8080 or ICMPv4. */
    public String service() {
        return port == 0 ? proto : proto + "/" + port;
    }

    // Identity numbers as in FlowPrinter's reserved identities (Cilium's reserved identities).
    private static String name(Endpoint ep, String ip) {
        if (!ep.getPodName().isEmpty()) {
            return ep.getNamespace() + "/" + ep.getPodName();
        }
        if (ep.getIdentity() == 2 || ep.getLabelsList().contains("reserved:world")) {
            return "world";
        }
        if (ep.getIdentity() == 1 || ep.getLabelsList().contains("reserved:host")) {
            return "host";
        }
        return ip.isEmpty() ? "?" : ip;
    }
}
