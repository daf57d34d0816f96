package dev.flows.cli.top;

import com.google.protobuf.BoolValue;
import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.CiliumEventType;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.TCP;
import dev.flows.proto.flow.UDP;
import dev.flows.proto.flow.Verdict;

/** Synthetic flows for top's tests. */
final class Flows {
    static final String FRONTEND = "shop/frontend-6b8f9c7d5-q2x7k";
    static final String CART = "shop/cart-5d7c9b8f4-h4j2m";
    static final String CATALOG = "shop/catalog-7f6d8c9b5-p8n3r";

    private Flows() {}

    static Flow tcp(String src, String dst, int srcPort, int dstPort, boolean reply) {
        return Flow.newBuilder().setSource(ep(src)).setDestination(ep(dst))
                .setIP(IP.newBuilder().setSource("10.0.0.1").setDestination("10.0.0.2"))
                .setL4(Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(srcPort).setDestinationPort(dstPort)))
                .setIsReply(BoolValue.of(reply)).setVerdict(Verdict.FORWARDED)
                .setEventType(CiliumEventType.newBuilder().setType(4)).build();
    }

    static Flow udp(String src, String dst, int dstPort) {
        return Flow.newBuilder().setSource(ep(src)).setDestination(ep(dst))
                .setL4(Layer4.newBuilder().setUDP(UDP.newBuilder().setSourcePort(40000).setDestinationPort(dstPort)))
                .setIsReply(BoolValue.of(false)).setVerdict(Verdict.FORWARDED).build();
    }

    static Flow drop(String src, String dst, int dstPort, DropReason reason) {
        return tcp(src, dst, 40000, dstPort, false).toBuilder().setVerdict(Verdict.DROPPED).setDropReasonDesc(reason)
                .setEventType(CiliumEventType.newBuilder().setType(1).setSubType(reason.getNumber())).build();
    }

    static Endpoint ep(String nsPod) {
        if (!nsPod.contains("/")) {
            return Endpoint.getDefaultInstance();
        }
        String[] p = nsPod.split("/", 2);
        return Endpoint.newBuilder().setNamespace(p[0]).setPodName(p[1]).setIdentity(300).build();
    }
}
