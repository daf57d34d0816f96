package dev.flows.relay.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.ICMPv4;
import dev.flows.proto.flow.ICMPv6;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.TCP;
import dev.flows.proto.flow.UDP;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConnectionKeyTest {

    private static Flow tcp(String src, int sport, String dst, int dport) {
        return Flow.newBuilder().setIP(IP.newBuilder().setSource(src).setDestination(dst))
                .setL4(Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(sport).setDestinationPort(dport))).build();
    }

    @Test
    void requestAndReplyShareOneKeyWithTheDocumentedBytes() {
        ConnectionKey request = ConnectionKey.of(tcp("10.244.2.7", 43512, "10.244.1.12", 8080));
        ConnectionKey reply = ConnectionKey.of(tcp("10.244.1.12", 8080, "10.244.2.7", 43512));
        assertEquals("tcp 10.244.1.12:8080 10.244.2.7:43512", request.text());
        assertEquals(request, reply);
        assertArrayEquals("tcp 10.244.1.12:8080 10.244.2.7:43512".getBytes(StandardCharsets.US_ASCII), reply.bytes());
    }

    @Test
    void portsAndProtocolsTellConnectionsApart() {
        assertNotEquals(ConnectionKey.of(tcp("10.0.0.1", 1000, "10.0.0.2", 80)), ConnectionKey.of(tcp("10.0.0.1", 1001, "10.0.0.2", 80)));
        Flow udp = Flow.newBuilder().setIP(IP.newBuilder().setSource("10.0.0.1").setDestination("10.0.0.2"))
                .setL4(Layer4.newBuilder().setUDP(UDP.newBuilder().setSourcePort(1000).setDestinationPort(80))).build();
        assertEquals("udp 10.0.0.1:1000 10.0.0.2:80", ConnectionKey.of(udp).text());
        // Same address, ports decide the order: byte order of the text, not numeric order.
        assertEquals("tcp 10.0.0.1:80 10.0.0.1:9", ConnectionKey.of(tcp("10.0.0.1", 9, "10.0.0.1", 80)).text());
    }

    @Test
    void icmpEchoAndReplyShareAKeyWithoutPorts() {
        Flow echo = Flow.newBuilder().setIP(IP.newBuilder().setSource("10.0.0.2").setDestination("10.0.0.1"))
                .setL4(Layer4.newBuilder().setICMPv4(ICMPv4.newBuilder().setType(8))).build();
        Flow reply = Flow.newBuilder().setIP(IP.newBuilder().setSource("10.0.0.1").setDestination("10.0.0.2"))
                .setL4(Layer4.newBuilder().setICMPv4(ICMPv4.newBuilder().setType(0))).build();
        assertEquals("icmp 10.0.0.1:0 10.0.0.2:0", ConnectionKey.of(echo).text());
        assertEquals(ConnectionKey.of(echo), ConnectionKey.of(reply));
    }

    @Test
    void ipv6InBracketsAndNoL4AsIp() {
        Flow v6 = Flow.newBuilder().setIP(IP.newBuilder().setSource("fd00::2").setDestination("fd00::1"))
                .setL4(Layer4.newBuilder().setICMPv6(ICMPv6.newBuilder().setType(128))).build();
        assertEquals("icmpv6 [fd00::1]:0 [fd00::2]:0", ConnectionKey.of(v6).text());
        Flow l3 = Flow.newBuilder().setIP(IP.newBuilder().setSource("10.0.0.9").setDestination("10.0.0.3")).build();
        assertEquals("ip 10.0.0.3:0 10.0.0.9:0", ConnectionKey.of(l3).text());
    }

    @Test
    void aFlowWithoutAddressesHasNoKey() {
        assertNull(ConnectionKey.of(Flow.getDefaultInstance()));
        assertNull(ConnectionKey.of(Flow.newBuilder().setIP(IP.newBuilder().setSource("10.0.0.1")).build()));
    }
}
