package dev.flows.collector.enrich;

import static org.junit.jupiter.api.Assertions.*;

import dev.flows.collector.decode.DecodedEvent;
import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Namespace;
import dev.flows.cluster.Node;
import dev.flows.cluster.Pod;
import dev.flows.cluster.Service;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.TCP;
import dev.flows.proto.flow.UDP;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnricherTest {
    static Flow.Builder flow(String src, String dst, int dport) {
        return Flow.newBuilder().setIP(IP.newBuilder().setSource(src).setDestination(dst))
                .setL4(Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(40000).setDestinationPort(dport)));
    }

    @Test
    void podEndpointsInHubbleForm() {
        Enricher e = new Enricher(TestClusters.shop(), "node-1");
        Flow.Builder f = flow("10.244.1.5", "10.244.2.7", 8080);
        e.enrich(new DecodedEvent(f));
        Endpoint src = f.getSource();
        assertEquals("shop", src.getNamespace());
        assertEquals("frontend-7d4b9c-abcde", src.getPodName());
        assertEquals(List.of("k8s:app=frontend", "k8s:io.kubernetes.pod.namespace=shop", "k8s:tier=web"), src.getLabelsList());
        assertEquals("frontend", src.getWorkloads(0).getName());
        assertEquals("Deployment", src.getWorkloads(0).getKind());
        assertTrue(src.getIdentity() >= 256 && src.getIdentity() < (1 << 24), "identity " + src.getIdentity());
        assertEquals("backend-0", f.getDestination().getPodName());
        assertFalse(f.hasDestinationService());
    }

    @Test
    void identityPerLabelSetStableAcrossNodesAndRestarts() {
        Enricher a = new Enricher(TestClusters.shop(), "node-1");
        Enricher b = new Enricher(TestClusters.shop(), "node-2");
        int fe1 = a.endpoint("10.244.1.5").getIdentity();
        assertEquals(fe1, a.endpoint("10.244.2.9").getIdentity(), "same labels, same identity");
        assertEquals(fe1, b.endpoint("10.244.1.5").getIdentity(), "another node derives the same number");
        assertNotEquals(a.endpoint("10.244.2.7").getIdentity(), a.endpoint("10.244.2.8").getIdentity(),
                "same app label in another namespace is another identity");
        assertNotEquals(fe1, a.endpoint("10.244.2.7").getIdentity());
    }

    @Test
    void identityCollisionsAreResolvedDeterministically() {
        Identities ids = Identities.allocate(List.of(List.of("k8s:a=1"), List.of("k8s:b=2")));
        assertNotEquals(ids.of(List.of("k8s:a=1")), ids.of(List.of("k8s:b=2")));
        assertEquals(ids.of(List.of("k8s:a=1")), Identities.allocate(List.of(List.of("k8s:b=2"), List.of("k8s:a=1"))).of(List.of("k8s:a=1")));
    }

    @Test
    void reservedIdentities() {
        Enricher e = new Enricher(TestClusters.shop(), "node-1");
        assertEquals(1, e.endpoint("192.168.10.11").getIdentity());
        assertEquals(List.of("reserved:host"), e.endpoint("192.168.10.11").getLabelsList());
        assertEquals(6, e.endpoint("192.168.10.12").getIdentity());
        assertEquals(List.of("reserved:remote-node"), e.endpoint("192.168.10.12").getLabelsList());
        assertEquals(2, e.endpoint("203.0.113.7").getIdentity());
        assertEquals(List.of("reserved:world"), e.endpoint("203.0.113.7").getLabelsList());
        assertEquals(1, new Enricher(TestClusters.shop(), "node-2").endpoint("192.168.10.12").getIdentity(), "host is relative to the local node");
    }

    @Test
    void clusterIpAndNodePortNameTheService() {
        Enricher e = new Enricher(TestClusters.shop(), "node-1");
        Flow.Builder f = flow("10.244.1.5", "10.96.0.20", 80);
        e.enrich(new DecodedEvent(f));
        assertEquals("backend", f.getDestinationService().getName());
        assertEquals("shop", f.getDestinationService().getNamespace());
        assertFalse(f.hasDestination(), "a virtual IP is not an endpoint");

        Flow.Builder wrongPort = flow("10.244.1.5", "10.96.0.20", 81);
        e.enrich(new DecodedEvent(wrongPort));
        assertFalse(wrongPort.hasDestinationService());

        Flow.Builder udp = Flow.newBuilder().setIP(IP.newBuilder().setSource("10.244.1.5").setDestination("10.96.0.20"))
                .setL4(Layer4.newBuilder().setUDP(UDP.newBuilder().setDestinationPort(80)));
        e.enrich(new DecodedEvent(udp));
        assertFalse(udp.hasDestinationService(), "the service port is TCP only");

        Flow.Builder nodePort = flow("203.0.113.7", "192.168.10.12", 30080);
        e.enrich(new DecodedEvent(nodePort));
        assertEquals("backend", nodePort.getDestinationService().getName());
        assertEquals(6, nodePort.getDestination().getIdentity());
    }

    @Test
    void replyFromAClusterIpNamesTheSourceService() {
        Enricher e = new Enricher(TestClusters.shop(), "node-1");
        Flow.Builder reply = Flow.newBuilder().setIP(IP.newBuilder().setSource("10.96.0.20").setDestination("10.244.1.5"))
                .setL4(Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(80).setDestinationPort(40000)));
        e.enrich(new DecodedEvent(reply));
        assertEquals("backend", reply.getSourceService().getName());
        assertFalse(reply.hasSource());
        assertEquals("frontend-7d4b9c-abcde", reply.getDestination().getPodName());
        assertFalse(reply.hasDestinationService());
    }

    @Test
    void updateSwapsTheTables() {
        Enricher e = new Enricher(ClusterState.EMPTY, "node-1");
        assertEquals(2, e.endpoint("10.244.1.5").getIdentity());
        e.update(TestClusters.shop());
        assertEquals("frontend-7d4b9c-abcde", e.endpoint("10.244.1.5").getPodName());
    }
}
