package dev.flows.collector.bpf;

import dev.flows.observer.net.Ipv4Prefix;

import static dev.flows.collector.bpf.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.YamlClusterLoader;
import dev.flows.collector.datapath.Backend;
import dev.flows.collector.datapath.Frontend;
import dev.flows.collector.datapath.LbMaps;
import dev.flows.collector.decode.DecodedEvent;
import dev.flows.collector.decode.Decoder;
import dev.flows.collector.enrich.Enricher;
import dev.flows.collector.policy.PolicyMaps;
import dev.flows.collector.policy.PolicyProgrammer;
import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.Service;
import dev.flows.proto.flow.TrafficDirection;
import dev.flows.testing.BpfGate;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A service connection names its service on the backend's node too (issue 11, rule 4), on crafted
 * packets (BPF_PROG_TEST_RUN) through two datapaths: node-b, where the client catalog runs and the
 * connection is DNATed, and node-a, where the backends run (with the policies of
 * policy/bpf-policy-cluster.yaml: cart admits frontend and prometheus only). The client's
 * to_network adds the option naming the frontend (svcopt.h), the backend's from_network takes it
 * off, and every event of that connection on node-a names the service by node-a's own numbering,
 * the policy drop at to-endpoint included; a direct connection on the same tuple names none.
 */
@Tag("bpf")
class BpfServiceNameTest {
    private static final int TC_ACT_OK = 0;
    private static final int TC_ACT_SHOT = 2;
    private static final int LO = 1;

    private static final String CATALOG = "10.244.2.10", CART = "10.244.1.11", FREE = "10.244.1.14", PEER = "10.244.2.20";
    private static final String CART_VIP = "10.96.10.20", FREE_VIP = "10.96.10.21", DNS_VIP = "10.96.0.10";
    /** The same frontends get other ids on each node: each collector numbers its own. */
    private static final int CART_ON_B = 11, FREE_ON_B = 12, DNS_ON_B = 13, CART_ON_A = 7, FREE_ON_A = 8, DNS_ON_A = 9;
    private static final Service CART_SVC = Service.newBuilder().setNamespace("shop").setName("cart").build();
    private static final Service FREE_SVC = Service.newBuilder().setNamespace("infra").setName("free").build();
    private static final Service DNS_SVC = Service.newBuilder().setNamespace("infra").setName("dns").build();
    private static final BpfConfig.Network NODE_B = new BpfConfig.Network(Ipv4Prefix.address("172.20.0.3"),
            Ipv4Prefix.parse("10.244.2.0/24"), Ipv4Prefix.parse("10.244.0.0/16"), Ipv4Prefix.parse("172.20.0.0/24"));

    private static Path clientPins, backendPins;
    private static Datapath client, backend;
    private static RingBufferReader clientRing, backendRing;
    private static Decoder backendDecoder;
    private static Enricher backendEnricher;

    @BeforeAll
    static void load() throws Exception {
        BpfGate.require();
        BpfConfig datapath = BpfConfig.DEFAULTS.withMode(BpfConfig.MODE_DATAPATH);
        clientPins = TestPins.newDir();
        client = Datapath.open(clientPins, 1 << 20, datapath.withNetwork(NODE_B));
        clientRing = client.openReader();
        backendPins = TestPins.newDir();
        backend = Datapath.open(backendPins, 1 << 20, datapath.withNetwork(BpfServiceTest.NETWORK));
        backendRing = backend.openReader();
        ClusterState cluster = new YamlClusterLoader(note -> {}).load(
                Path.of(BpfServiceNameTest.class.getResource("/policy/bpf-policy-cluster.yaml").toURI()));
        PolicyProgrammer policies = PolicyProgrammer.adopt(new PolicyMaps(backend), cluster, "node-a", false);
        backendDecoder = new Decoder("node-a", () -> 0);
        backendEnricher = new Enricher(cluster, "node-a", id -> switch (id) {
            case CART_ON_A -> CART_SVC;
            case FREE_ON_A -> FREE_SVC;
            case DNS_ON_A -> DNS_SVC;
            default -> null;
        }, policies);
        LbMaps onB = new LbMaps(client), onA = new LbMaps(backend);
        for (LbMaps lb : List.of(onB, onA)) {
            boolean b = lb == onB;
            lb.program(new Frontend(Ipv4Prefix.address(CART_VIP), 8080, TCP, false), b ? CART_ON_B : CART_ON_A,
                    List.of(new Backend(Ipv4Prefix.address(CART), 8080)), null, 0);
            lb.program(new Frontend(Ipv4Prefix.address(FREE_VIP), 80, TCP, false), b ? FREE_ON_B : FREE_ON_A,
                    List.of(new Backend(Ipv4Prefix.address(FREE), 8080)), null, 0);
            lb.program(new Frontend(Ipv4Prefix.address(DNS_VIP), 53, UDP, false), b ? DNS_ON_B : DNS_ON_A,
                    List.of(new Backend(Ipv4Prefix.address(FREE), 5353)), null, 0);
        }
    }

    @AfterAll
    static void unload() {
        for (AutoCloseable c : new AutoCloseable[] {clientRing, client, backendRing, backend}) {
            try {
                if (c != null) c.close();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        if (clientPins != null) Datapath.removePins(clientPins);
        if (backendPins != null) Datapath.removePins(backendPins);
    }

    @BeforeEach
    void emptyRings() {
        TraceEvent.drain(clientRing);
        backendFlows();
    }

    private static List<Flow> backendFlows() {
        List<Flow> out = new ArrayList<>();
        DecodedEvent event = new DecodedEvent();
        backendRing.drain((buf, off, len) -> {
            assertNull(backendDecoder.decode(buf, off, len, event), "every event the datapath writes decodes");
            backendEnricher.enrich(event);
            out.add(event.flow().build());
        });
        return out;
    }

    /** The request as it leaves the client's node: DNATed at from_pod, then through to_network. */
    private static byte[] sent(byte[] request) {
        Datapath.TestRun dnat = client.testRunFrame("from_pod", withChecksums(request), LO);
        assertEquals(TC_ACT_OK, dnat.retval());
        Datapath.TestRun out = client.testRunFrame("to_network", dnat.frame(), LO);
        assertEquals(TC_ACT_OK, out.retval());
        return out.frame();
    }

    private static Datapath.TestRun atBackend(String program, byte[] frame) {
        return backend.testRunFrame(program, frame, LO);
    }

    /**
     * The services the flows of one event type name, in order ("" for none): a request's
     * destination service, a reply's source service (the frontend answers), as on the client's node.
     */
    private static List<String> services(List<Flow> flows, int type) {
        return flows.stream().filter(f -> f.getEventType().getType() == type).map(f -> {
            Service s = f.hasDestinationService() ? f.getDestinationService() : f.hasSourceService() ? f.getSourceService() : null;
            return s == null ? "" : s.getNamespace() + "/" + s.getName();
        }).toList();
    }

    @Test
    void theBackendsNodeNamesTheServiceAtEveryHookAndOnItsPolicyDrop() {
        ServiceOptionCounters beforeB = client.serviceOptionCounters(), beforeA = backend.serviceOptionCounters();
        byte[] syn = tcp(CATALOG, 42000, CART_VIP, 8080, SYN, 0);
        byte[] dnated = client.testRunFrame("from_pod", withChecksums(syn), LO).frame();
        byte[] wire = sent(syn);

        assertEquals(dnated.length + 8, wire.length, "8 bytes of option on the wire");
        assertEquals(0x47, wire[14] & 0xff, "IHL 7");
        assertEquals(dnated.length - 14 + 8, ByteBuffer.wrap(wire).getShort(14 + 2) & 0xffff, "total length");
        assertArrayEquals(new byte[] {(byte) 0x9e, 8, 0x1f, (byte) 0x90, 10, 96, 10, 20}, Arrays.copyOfRange(wire, 34, 42),
                "type, length, frontend port 8080, frontend 10.96.10.20");
        assertTrue(checksumsWithOptionsValid(wire), "IP header checksum (options included) and TCP checksum");
        assertEquals(1, client.serviceOptionCounters().added() - beforeB.added());

        Datapath.TestRun in = atBackend("from_network", wire);
        assertEquals(TC_ACT_OK, in.retval());
        assertArrayEquals(dnated, in.frame(), "the backend's node delivers the packet as the client's node sent it");
        assertEquals(TC_ACT_SHOT, atBackend("to_pod", in.frame()).retval(), "cart does not admit catalog");
        assertEquals(TC_ACT_SHOT, atBackend("to_pod", atBackend("from_network", sent(syn)).frame()).retval(),
                "the retransmitted SYN");
        List<Flow> flows = backendFlows();
        assertEquals(List.of("shop/cart", "shop/cart"), services(flows, 1), "both drops at to-endpoint name the service: " + flows);
        for (Flow drop : flows.stream().filter(f -> f.getEventType().getType() == 1).toList()) {
            assertEquals(DropReason.POLICY_DENIED, drop.getDropReasonDesc());
            assertEquals(TrafficDirection.INGRESS, drop.getTrafficDirection(), "at to-endpoint, by cart's ingress policy");
            assertEquals(CART, drop.getIP().getDestination());
        }
        assertEquals(List.of("shop/cart", "shop/cart"), services(flows, 4), "from-network traces of both SYNs");
        ServiceOptionCounters a = backend.serviceOptionCounters();
        assertEquals(List.of(2L, 0L, 0L, 0L), List.of(a.named() - beforeA.named(), a.unknownService() - beforeA.unknownService(),
                a.malformed() - beforeA.malformed(), a.foreign() - beforeA.foreign()));
    }

    @Test
    void repliesOfTheConnectionNameItOnTheBackendsNodeButADirectConnectionOnTheSameTupleDoesNot() {
        byte[] wire = sent(tcp(CATALOG, 42010, FREE_VIP, 80, SYN, 0));
        byte[] delivered = atBackend("from_network", wire).frame();
        assertEquals(TC_ACT_OK, atBackend("to_pod", delivered).retval());
        assertEquals(TC_ACT_OK, atBackend("from_pod", withChecksums(tcp(FREE, 8080, CATALOG, 42010, SYN | ACK, 0))).retval());
        assertEquals(TC_ACT_OK, atBackend("to_network", withChecksums(tcp(FREE, 8080, CATALOG, 42010, SYN | ACK, 0))).retval());
        byte[] ack = sent(tcp(CATALOG, 42010, FREE_VIP, 80, ACK, 0));
        assertEquals(delivered.length, ack.length, "an answered connection's packets carry no option");
        atBackend("to_pod", atBackend("from_network", ack).frame());
        byte[] rst = sent(tcp(CATALOG, 42010, FREE_VIP, 80, RST | ACK, 0));
        atBackend("to_pod", atBackend("from_network", rst).frame());
        List<Flow> service = backendFlows();
        assertEquals(List.of("infra/free"), services(service, 4).stream().distinct().toList(),
                "every trace of the service connection at node-a, both directions: " + service);
        assertTrue(service.stream().anyMatch(f -> f.getIsReply().getValue() && f.getSourceService().getName().equals("free")),
                "the replies come from the service");
        assertTrue(service.stream().filter(f -> f.getEventType().getType() == 4).count() >= 6, service.toString());

        // the kernel reuses the port for a connection to the pod itself, right after
        byte[] direct = withChecksums(tcp(CATALOG, 42010, FREE, 8080, SYN, 0));
        assertEquals(TC_ACT_OK, atBackend("to_pod", atBackend("from_network", direct).frame()).retval());
        atBackend("from_pod", withChecksums(tcp(FREE, 8080, CATALOG, 42010, SYN | ACK, 0)));
        List<Flow> flows = backendFlows();
        assertFalse(flows.isEmpty());
        assertEquals(List.of(""), services(flows, 4).stream().distinct().toList(), "the direct connection names no service: " + flows);
    }

    @Test
    void aDirectSynAfterADeniedServiceSynOnTheSameTupleIsNotNamed() {
        byte[] wire = sent(tcp(CATALOG, 42020, CART_VIP, 8080, SYN, 0));
        assertEquals(TC_ACT_SHOT, atBackend("to_pod", atBackend("from_network", wire).frame()).retval());
        assertEquals(List.of("shop/cart"), services(backendFlows(), 1));
        // the connection is still unanswered (CT_NEW) on node-a when the same tuple opens directly
        byte[] direct = withChecksums(tcp(CATALOG, 42020, CART, 8080, SYN, 0));
        assertEquals(TC_ACT_SHOT, atBackend("to_pod", atBackend("from_network", direct).frame()).retval());
        List<Flow> flows = backendFlows();
        assertEquals(List.of(""), services(flows, 1), "the direct connection's drop names no service: " + flows);
        assertEquals(List.of(""), services(flows, 4).stream().distinct().toList());
    }

    @Test
    void theFirstUdpDatagramOfAnExchangeCarriesTheService() {
        byte[] wire = sent(udp(CATALOG, 42030, DNS_VIP, 53, 12));
        assertEquals(0x47, wire[14] & 0xff);
        assertTrue(checksumsWithOptionsValid(wire), "IP header checksum and the UDP checksum");
        byte[] delivered = atBackend("from_network", wire).frame();
        assertTrue(checksumsValid(delivered));
        assertEquals(TC_ACT_OK, atBackend("to_pod", delivered).retval());
        assertEquals(TC_ACT_OK, atBackend("from_pod", withChecksums(udp(FREE, 5353, CATALOG, 42030, 20))).retval());
        List<Flow> flows = backendFlows();
        assertEquals(List.of("infra/dns"), services(flows, 4).stream().distinct().toList(), flows.toString());
        assertEquals(3, services(flows, 4).size(), "from-network, to-endpoint, and the reply's from-endpoint");
    }

    @Test
    void malformedForeignAndUnknownOptionsNeverBreakForwardingAndAreCounted() {
        ServiceOptionCounters before = backend.serviceOptionCounters();
        byte[] malformed = withOptions(tcp(CATALOG, 42040, FREE, 8080, SYN, 0), new byte[] {(byte) 0x9e, 6, 0x1f, (byte) 0x90, 10, 96, 1, 0});
        byte[] foreign = withOptions(tcp(CATALOG, 42041, FREE, 8080, SYN, 0), new byte[] {(byte) 0x94, 4, 0, 0, 1, 1, 1, 0});
        byte[] unknown = withOptions(tcp(CATALOG, 42042, FREE, 8080, SYN, 0), new byte[] {(byte) 0x9e, 8, 0, 80, 10, 96, 99, 99});
        byte[] fromOutside = withOptions(tcp("203.0.113.5", 42043, FREE, 8080, SYN, 0), new byte[] {(byte) 0x9e, 8, 0, 80, 10, 96, 10, 21});
        for (byte[] f : List.of(malformed, foreign, fromOutside)) {
            Datapath.TestRun r = atBackend("from_network", f);
            assertEquals(TC_ACT_OK, r.retval());
            assertArrayEquals(f, r.frame(), "left as it came");
            assertEquals(TC_ACT_OK, atBackend("to_pod", r.frame()).retval());
        }
        Datapath.TestRun r = atBackend("from_network", unknown);
        assertEquals(TC_ACT_OK, r.retval());
        assertEquals(unknown.length - 8, r.frame().length, "our option is taken off even when it names no frontend here");
        assertTrue(checksumsValid(r.frame()));
        assertEquals(TC_ACT_OK, atBackend("to_pod", r.frame()).retval());
        assertEquals(List.of(""), services(backendFlows(), 4).stream().distinct().toList());
        ServiceOptionCounters after = backend.serviceOptionCounters();
        assertEquals(List.of(0L, 1L, 2L, 1L), List.of(after.named() - before.named(), after.unknownService() - before.unknownService(),
                after.malformed() - before.malformed(), after.foreign() - before.foreign()),
                "named, unknown service, malformed (bad length; from outside the cluster), foreign");
        assertEquals(3, after.unnamed() - before.unnamed());
    }

    @Test
    void aBackendOnTheClientsOwnNodeGetsNoOption() {
        new LbMaps(client).program(new Frontend(Ipv4Prefix.address("10.96.10.50"), 80, TCP, false), 50,
                List.of(new Backend(Ipv4Prefix.address(PEER), 8080)), null, 0);
        ServiceOptionCounters before = client.serviceOptionCounters();
        byte[] wire = sent(tcp(CATALOG, 42050, "10.96.10.50", 80, SYN, 0));
        assertEquals(0x45, wire[14] & 0xff, "a pod of this node: no other node has to learn the service");
        assertEquals(before, client.serviceOptionCounters());
    }

    /** The IPv4 frame with options (a multiple of 4 bytes) after its base header, checksums filled. */
    private static byte[] withOptions(byte[] frame, byte[] options) {
        byte[] base = withChecksums(frame);
        ByteBuffer b = ByteBuffer.allocate(base.length + options.length);
        b.put(base, 0, 34).put(options).put(base, 34, base.length - 34);
        byte[] f = b.array();
        f[14] = (byte) (0x40 | (5 + options.length / 4));
        ByteBuffer w = ByteBuffer.wrap(f);
        w.putShort(14 + 2, (short) (base.length - 14 + options.length));
        w.putShort(14 + 10, (short) 0);
        w.putShort(14 + 10, (short) ~sum(f, 14, 20 + options.length, 0));
        return f;
    }

    /** IP header checksum over the whole header (options included) and the L4 checksum after it. */
    private static boolean checksumsWithOptionsValid(byte[] f) {
        int ihl = (f[14] & 0x0f) * 4;
        if ((sum(f, 14, ihl, 0) & 0xffff) != 0xffff) {
            return false;
        }
        int proto = f[14 + 9];
        int l4 = 14 + ihl;
        int l4Len = (ByteBuffer.wrap(f).getShort(14 + 2) & 0xffff) - ihl;
        if (proto == UDP && ByteBuffer.wrap(f).getShort(l4 + 6) == 0) {
            return true;
        }
        int pseudo = sum(f, 14 + 12, 8, 0) + (proto & 0xff) + l4Len;
        return (sum(f, l4, l4Len, pseudo) & 0xffff) == 0xffff;
    }

    private static int sum(byte[] f, int off, int len, int initial) {
        long s = initial;
        for (int i = 0; i < len; i += 2) {
            s += ((f[off + i] & 0xff) << 8) | (i + 1 < len ? f[off + i + 1] & 0xff : 0);
        }
        while ((s >> 16) != 0) {
            s = (s & 0xffff) + (s >> 16);
        }
        return (int) s;
    }
}
