package dev.flows.cli.top;

import static dev.flows.cli.top.Flows.CART;
import static dev.flows.cli.top.Flows.FRONTEND;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.IP;
import org.junit.jupiter.api.Test;

class PairKeyTest {
    @Test
    void requestAndReplyAreOneRowKeyedByTheServersPort() {
        PairKey req = PairKey.of(Flows.tcp(FRONTEND, CART, 41234, 8080, false));
        PairKey reply = PairKey.of(Flows.tcp(CART, FRONTEND, 8080, 41234, true));

        assertEquals(new PairKey(FRONTEND, CART, "TCP", 8080), req);
        assertEquals(req, reply);
        assertEquals("TCP/8080", req.service());
    }

    @Test
    void endsWithoutPodAreWorldHostOrTheirIp() {
        Flow f = Flow.newBuilder()
                .setSource(Endpoint.newBuilder().setIdentity(2).addLabels("reserved:world"))
                .setDestination(Endpoint.newBuilder().setIdentity(12345))
                .setIP(IP.newBuilder().setSource("8.8.8.8").setDestination("172.20.0.9")).build();

        PairKey k = PairKey.of(f);

        assertEquals("world", k.source());
        assertEquals("172.20.0.9", k.destination());
        assertEquals("-", k.service(), "no L4: no protocol");
        assertEquals("host", PairKey.of(f.toBuilder().setSource(Endpoint.newBuilder().setIdentity(1)).build()).source());
    }
}
