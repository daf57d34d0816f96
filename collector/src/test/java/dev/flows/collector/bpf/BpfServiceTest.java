package dev.flows.collector.bpf;

import dev.flows.observer.net.Ipv4Prefix;

import static dev.flows.collector.bpf.Frames.*;
import static dev.flows.collector.bpf.TraceEvent.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.flows.collector.datapath.Backend;
import dev.flows.collector.datapath.Frontend;
import dev.flows.collector.datapath.LbMaps;
import dev.flows.collector.datapath.Maglev;
import dev.flows.testing.BpfGate;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Service translation on crafted packets (BPF_PROG_TEST_RUN) in datapath mode: DNAT at from_pod
 * and for NodePort at from_network, reverse DNAT where replies reach the client, SNAT for traffic
 * leaving the cluster and for NodePort to another node, the checksums after each rewrite, and the
 * events each decision writes.
 */
@Tag("bpf")
class BpfServiceTest {
    private static final int TC_ACT_OK = 0;
    private static final int TC_ACT_SHOT = 2;
    private static final int LO = 1;
    private static final int DROP_SERVICE_BACKEND_NOT_FOUND = 158;

    static final String NODE = "172.20.0.2";
    static final String WORLD = "203.0.113.5";
    static final BpfConfig.Network NETWORK = new BpfConfig.Network(Ipv4Prefix.address(NODE),
            Ipv4Prefix.parse("10.244.1.0/24"), Ipv4Prefix.parse("10.244.0.0/16"), Ipv4Prefix.parse("172.20.0.0/24"));

    private static Path pins;
    private static Datapath dp;
    private static RingBufferReader reader;
    private static LbMaps lb;

    @BeforeAll
    static void load() {
        BpfGate.require();
        pins = TestPins.newDir();
        dp = Datapath.open(pins, 1 << 20, BpfConfig.DEFAULTS.withMode(BpfConfig.MODE_DATAPATH).withNetwork(NETWORK));
        reader = dp.openReader();
        lb = new LbMaps(dp);
    }

    @AfterAll
    static void unload() {
        if (reader != null) reader.close();
        if (dp != null) dp.close();
        if (pins != null) Datapath.removePins(pins);
    }

    @BeforeEach
    void emptyRing() {
        TraceEvent.drain(reader);
    }

    static Frontend frontend(String ip, int port, int proto) {
        return new Frontend(Ipv4Prefix.address(ip), port, proto, false);
    }

    static Backend backend(String ip, int port) {
        return new Backend(Ipv4Prefix.address(ip), port);
    }

    static Datapath.TestRun run(String program, byte[] frame) {
        return dp.testRunFrame(program, frame, LO);
    }

    static TraceEvent one() {
        List<TraceEvent> events = TraceEvent.drain(reader);
        assertEquals(1, events.size(), () -> "events: " + events);
        return events.get(0);
    }

    @Test
    void requestToAServiceIsTranslatedToABackendWithValidChecksums() {
        lb.program(frontend("10.96.10.20", 8080, TCP), 11, List.of(backend("10.244.2.11", 8081)), null, 0);
        byte[] syn = withChecksums(tcp("10.244.1.10", 40100, "10.96.10.20", 8080, SYN, 0));

        Datapath.TestRun r = run("from_pod", syn);

        assertEquals(TC_ACT_OK, r.retval());
        assertEquals("10.244.1.10:40100", src(r.frame()));
        assertEquals("10.244.2.11:8081", dst(r.frame()));
        assertTrue(checksumsValid(r.frame()), "IP and TCP checksums after DNAT");
        byte[] stale = syn.clone();
        System.arraycopy(r.frame(), 14 + 16, stale, 14 + 16, 4);
        assertFalse(checksumsValid(stale), "a rewrite without checksum update would be caught");
        TraceEvent e = one();
        assertAll(
                () -> assertEquals(TRACE, e.type()),
                () -> assertEquals(OBS_FROM_ENDPOINT, e.obsPoint()),
                () -> assertEquals(XLATE_DNAT, e.xlate()),
                () -> assertEquals(11, e.serviceId()),
                () -> assertEquals(REPORT_DECISION, e.reason(), "a new translation is always reported"),
                () -> assertEquals("10.96.10.20:8080", e.dst() + ":" + e.dport(), "tuple before"),
                () -> assertEquals("10.244.2.11:8081", e.xDst() + ":" + e.xDport(), "tuple after"),
                () -> assertEquals(DIR_REQUEST, e.direction()),
                () -> assertEquals(CT_NEW, e.ctState()));
    }

    @Test
    void serviceWithoutBackendsDropsWithAnEvent() {
        lb.program(frontend("10.96.10.21", 80, TCP), 12, List.of(), null, 0);
        byte[] syn = withChecksums(tcp("10.244.1.10", 40101, "10.96.10.21", 80, SYN, 0));

        assertEquals(TC_ACT_SHOT, run("from_pod", syn).retval());

        TraceEvent e = one();
        assertAll(
                () -> assertEquals(DROP, e.type()),
                () -> assertEquals(DROP_SERVICE_BACKEND_NOT_FOUND, e.subtype()),
                () -> assertEquals(12, e.serviceId()),
                () -> assertEquals(OBS_FROM_ENDPOINT, e.obsPoint()),
                () -> assertEquals("10.244.1.10:40101 -> 10.96.10.21:80", e.src() + ":" + e.sport() + " -> " + e.dst() + ":" + e.dport()));
    }

    @Test
    void addressesThatAreNoFrontendPassUntouched() {
        lb.program(frontend("10.96.10.22", 80, TCP), 13, List.of(backend("10.244.2.12", 80)), null, 0);
        byte[] otherPort = withChecksums(tcp("10.244.1.10", 40102, "10.96.10.22", 81, SYN, 0));
        byte[] otherProto = withChecksums(udp("10.244.1.10", 40102, "10.96.10.22", 80, 8));

        assertArrayEquals(otherPort, run("from_pod", otherPort).frame());
        assertEquals(List.of(0), TraceEvent.drain(reader).stream().map(TraceEvent::xlate).toList());
        assertArrayEquals(otherProto, run("from_pod", otherProto).frame());
        assertEquals(List.of(0), TraceEvent.drain(reader).stream().map(TraceEvent::xlate).toList());
    }

    @Test
    void theBackendIsChosenOncePerConnectionAndEveryBackendGetsConnections() {
        List<Backend> three = List.of(backend("10.244.1.31", 9000), backend("10.244.1.32", 9000), backend("10.244.2.33", 9000));
        lb.program(frontend("10.96.10.23", 80, TCP), 14, three, null, 0);
        Set<String> chosen = new HashSet<>();
        for (int c = 0; c < 60; c++) {
            int sport = 41000 + c;
            String first = dst(run("from_pod", tcp("10.244.1.10", sport, "10.96.10.23", 80, SYN, 0)).frame());
            for (int i = 0; i < 5; i++) {
                assertEquals(first, dst(run("from_pod", tcp("10.244.1.10", sport, "10.96.10.23", 80, ACK | PSH, 10)).frame()),
                        "connection " + sport + " keeps its backend");
            }
            chosen.add(first);
        }
        assertEquals(Set.of("10.244.1.31:9000", "10.244.1.32:9000", "10.244.2.33:9000"), chosen,
                "60 random choices among 3 backends reach all of them");
        List<TraceEvent> events = TraceEvent.drain(reader);
        assertEquals(60, events.stream().filter(e -> e.reason() == REPORT_DECISION).count(), "one decision per connection");
        assertTrue(events.stream().allMatch(e -> e.xlate() == XLATE_DNAT && e.serviceId() == 14), "later packets still say they were translated");
    }

    @Test
    void repliesComeFromTheFrontendAgain() {
        lb.program(frontend("10.96.10.24", 8080, TCP), 15, List.of(backend("10.244.2.14", 8080)), null, 0);
        run("from_pod", withChecksums(tcp("10.244.1.10", 40200, "10.96.10.24", 8080, SYN, 0)));
        TraceEvent.drain(reader);

        // The backend's answer reaches the client's veth (from this node or another): reverse DNAT.
        byte[] synAck = withChecksums(tcp("10.244.2.14", 8080, "10.244.1.10", 40200, SYN | ACK, 0));
        Datapath.TestRun r = run("to_pod", synAck);

        assertEquals("10.96.10.24:8080", src(r.frame()));
        assertEquals("10.244.1.10:40200", dst(r.frame()));
        assertTrue(checksumsValid(r.frame()), "checksums after reverse DNAT");
        TraceEvent e = one();
        assertAll(
                () -> assertEquals(OBS_TO_ENDPOINT, e.obsPoint()),
                () -> assertEquals(XLATE_REV_DNAT, e.xlate()),
                () -> assertEquals(15, e.serviceId()),
                () -> assertEquals(DIR_REPLY, e.direction()),
                () -> assertEquals(CT_ESTABLISHED, e.ctState()),
                () -> assertEquals("10.244.2.14", e.src(), "before: the backend"),
                () -> assertEquals("10.96.10.24", e.xSrc(), "after: the frontend"));

        // The client's next request still goes to the same backend; a FIN moves to closing.
        Datapath.TestRun fin = run("from_pod", withChecksums(tcp("10.244.1.10", 40200, "10.96.10.24", 8080, FIN | ACK, 0)));
        assertEquals("10.244.2.14:8080", dst(fin.frame()));
        assertEquals(CT_CLOSING, one().ctState());
    }

    @Test
    void requestsToTheBackendAreNotTranslatedOnTheirWayIn() {
        lb.program(frontend("10.96.10.25", 80, TCP), 16, List.of(backend("10.244.1.15", 8080)), null, 0);
        Datapath.TestRun out = run("from_pod", withChecksums(tcp("10.244.1.10", 40300, "10.96.10.25", 80, SYN, 0)));
        TraceEvent.drain(reader);
        // The same node delivers it to the backend's veth.
        Datapath.TestRun in = run("to_pod", out.frame());
        assertArrayEquals(out.frame(), in.frame());
        TraceEvent e = one();
        assertEquals(List.of(0, 16, DIR_REQUEST), List.of(e.xlate(), e.serviceId(), e.direction()),
                "the backend's side names the service it was reached by");
    }

    @Test
    void udpKeepsAZeroChecksumAndFixesARealOne() {
        lb.program(frontend("10.96.0.10", 53, UDP), 17, List.of(backend("10.244.2.12", 5353)), null, 0);
        Datapath.TestRun none = run("from_pod", withoutUdpChecksum(udp("10.244.1.10", 40400, "10.96.0.10", 53, 12)));
        assertEquals("10.244.2.12:5353", dst(none.frame()));
        assertEquals(0, udpChecksum(none.frame()), "no checksum stays no checksum");
        assertTrue(checksumsValid(none.frame()));

        Datapath.TestRun real = run("from_pod", withChecksums(udp("10.244.1.10", 40401, "10.96.0.10", 53, 12)));
        assertEquals("10.244.2.12:5353", dst(real.frame()));
        assertNotEquals(0, udpChecksum(real.frame()));
        assertTrue(checksumsValid(real.frame()), "UDP checksum after DNAT");

        Datapath.TestRun answer = run("to_pod", withChecksums(udp("10.244.2.12", 5353, "10.244.1.10", 40401, 30)));
        assertEquals("10.96.0.10:53", src(answer.frame()));
        assertTrue(checksumsValid(answer.frame()), "UDP checksum after reverse DNAT");
        TraceEvent.drain(reader);
    }

    @Test
    void maglevPicksTheBucketsBackendForEveryTuple() {
        List<Backend> backends = List.of(backend("10.244.1.41", 80), backend("10.244.1.42", 80), backend("10.244.2.43", 80),
                backend("10.244.2.44", 80));
        short[] table = Maglev.table(backends);
        lb.program(frontend("10.96.10.26", 80, TCP), 18, backends, table, 0);
        Map<String, Integer> share = new HashMap<>();
        for (int c = 0; c < 200; c++) {
            int sport = 42000 + c;
            String got = dst(run("from_pod", tcp("10.244.1.10", sport, "10.96.10.26", 80, SYN, 0)).frame());
            int hash = Maglev.tupleHash(Ipv4Prefix.address("10.244.1.10"), Ipv4Prefix.address("10.96.10.26"), sport, 80, TCP);
            Backend expected = backends.get(table[Maglev.bucket(hash)] - 1);
            assertEquals(expected.toString(), got, "connection from port " + sport);
            share.merge(got, 1, Integer::sum);
        }
        assertEquals(4, share.size(), "every backend gets connections: " + share);
        TraceEvent.drain(reader);
    }

    @Test
    void podTrafficLeavingTheClusterIsMasqueradedAndRepliesFindTheirWayBack() {
        byte[] syn = withChecksums(tcp("10.244.1.10", 40500, WORLD, 443, SYN, 0));
        run("from_pod", syn);
        TraceEvent.drain(reader);

        Datapath.TestRun out = run("to_network", syn);
        assertEquals(NODE + ":40500", src(out.frame()), "the pod's port is kept when free");
        assertEquals(WORLD + ":443", dst(out.frame()));
        assertTrue(checksumsValid(out.frame()), "checksums after SNAT");
        TraceEvent e = one();
        assertEquals(List.of(XLATE_SNAT, REPORT_DECISION, OBS_TO_NETWORK), List.of(e.xlate(), e.reason(), e.obsPoint()));
        assertEquals(List.of("10.244.1.10", NODE), List.of(e.src(), e.xSrc()));

        // Another pod with the same source port to the same peer gets another node port.
        byte[] other = withChecksums(tcp("10.244.1.11", 40500, WORLD, 443, SYN, 0));
        run("from_pod", other);
        String second = src(run("to_network", other).frame());
        assertTrue(second.startsWith(NODE + ":") && !second.equals(NODE + ":40500"), second);
        TraceEvent.drain(reader);

        byte[] synAck = withChecksums(tcp(WORLD, 443, NODE, 40500, SYN | ACK, 0));
        Datapath.TestRun back = run("from_network", synAck);
        assertEquals("10.244.1.10:40500", dst(back.frame()));
        assertEquals(WORLD + ":443", src(back.frame()));
        assertTrue(checksumsValid(back.frame()), "checksums after reverse SNAT");
        TraceEvent r = one();
        assertEquals(List.of(XLATE_REV_SNAT, DIR_REPLY), List.of(r.xlate(), r.direction()));

        int port = Integer.parseInt(second.substring(second.indexOf(':') + 1));
        Datapath.TestRun back2 = run("from_network", withChecksums(tcp(WORLD, 443, NODE, port, SYN | ACK, 0)));
        assertEquals("10.244.1.11:40500", dst(back2.frame()), "each mapping leads back to its own pod");
        TraceEvent.drain(reader);
    }

    @Test
    void trafficInsideTheClusterIsNotMasqueraded() {
        for (String dst : new String[] {"10.244.2.50", "172.20.0.3", NODE}) {
            byte[] syn = withChecksums(tcp("10.244.1.10", 40600, dst, 80, SYN, 0));
            run("from_pod", syn);
            assertArrayEquals(syn, run("to_network", syn).frame(), "to " + dst);
        }
        TraceEvent.drain(reader);
    }

    @Test
    void nodePortToALocalBackendIsTranslatedBackOnTheWayOut() {
        lb.program(new Frontend(Ipv4Prefix.address(NODE), 30080, TCP, true), 19, List.of(backend("10.244.1.11", 8080)), null, 0);
        byte[] syn = withChecksums(tcp(WORLD, 50000, NODE, 30080, SYN, 0));

        Datapath.TestRun in = run("from_network", syn);
        assertEquals(WORLD + ":50000", src(in.frame()), "a local backend answers the client directly");
        assertEquals("10.244.1.11:8080", dst(in.frame()));
        assertTrue(checksumsValid(in.frame()));
        TraceEvent e = one();
        assertEquals(List.of(XLATE_DNAT, 19, REPORT_DECISION), List.of(e.xlate(), e.serviceId(), e.reason()));

        Datapath.TestRun out = run("to_network", withChecksums(tcp("10.244.1.11", 8080, WORLD, 50000, SYN | ACK, 0)));
        assertEquals(NODE + ":30080", src(out.frame()));
        assertEquals(WORLD + ":50000", dst(out.frame()));
        assertTrue(checksumsValid(out.frame()));
        assertEquals(XLATE_REV_DNAT, one().xlate());
    }

    @Test
    void nodePortToABackendOnAnotherNodeIsMasqueradedBothWays() {
        lb.program(new Frontend(Ipv4Prefix.address(NODE), 30081, TCP, true), 20, List.of(backend("10.244.2.11", 8080)), null, 0);
        byte[] syn = withChecksums(tcp(WORLD, 50001, NODE, 30081, SYN, 0));

        Datapath.TestRun in = run("from_network", syn);
        String snat = src(in.frame());
        assertTrue(snat.startsWith(NODE + ":"), "the backend must answer through us: " + snat);
        assertEquals("10.244.2.11:8080", dst(in.frame()));
        assertTrue(checksumsValid(in.frame()));
        TraceEvent e = one();
        assertEquals(XLATE_DNAT | XLATE_SNAT, e.xlate());
        assertEquals(List.of(WORLD, NODE, "10.244.2.11"), List.of(e.src(), e.xSrc(), e.xDst()));

        // The answer comes back to the node address; then it leaves for the client as the NodePort.
        int port = Integer.parseInt(snat.substring(snat.indexOf(':') + 1));
        Datapath.TestRun back = run("from_network", withChecksums(tcp("10.244.2.11", 8080, NODE, port, SYN | ACK, 0)));
        assertEquals("10.244.2.11:8080", src(back.frame()));
        assertEquals(WORLD + ":50001", dst(back.frame()));
        assertEquals(XLATE_REV_SNAT, one().xlate());
        Datapath.TestRun out = run("to_network", back.frame());
        assertEquals(NODE + ":30081", src(out.frame()));
        assertEquals(WORLD + ":50001", dst(out.frame()));
        assertTrue(checksumsValid(out.frame()));
        TraceEvent r = one();
        assertEquals(List.of(XLATE_REV_DNAT, 20, DIR_REPLY), List.of(r.xlate(), r.serviceId(), r.direction()));
    }

    @Test
    void observeModeTranslatesNothing() {
        Path observePins = TestPins.newDir();
        try (Datapath observe = Datapath.open(observePins, 1 << 16, BpfConfig.DEFAULTS.withNetwork(NETWORK))) {
            new LbMaps(observe).program(frontend("10.96.10.27", 80, TCP), 22, List.of(backend("10.244.2.11", 80)), null, 0);
            byte[] syn = withChecksums(tcp("10.244.1.10", 40700, "10.96.10.27", 80, SYN, 0));
            assertArrayEquals(syn, observe.testRunFrame("from_pod", syn, LO).frame());
            byte[] leaving = withChecksums(tcp("10.244.1.10", 40701, WORLD, 80, SYN, 0));
            assertArrayEquals(leaving, observe.testRunFrame("to_network", leaving, LO).frame());
            byte[] empty = withChecksums(tcp("10.244.1.10", 40702, "10.96.10.21", 80, SYN, 0));
            new LbMaps(observe).program(frontend("10.96.10.21", 80, TCP), 23, List.of(), null, 0);
            assertEquals(TC_ACT_OK, observe.testRunFrame("from_pod", empty, LO).retval(), "no drops either");
        } finally {
            Datapath.removePins(observePins);
        }
    }

    @Test
    void anExpiredConnectionChoosesAgain() throws InterruptedException {
        Path shortPins = TestPins.newDir();
        java.time.Duration second = java.time.Duration.ofSeconds(1);
        BpfConfig.Lifetimes brief = new BpfConfig.Lifetimes(second, second, second, second);
        try (Datapath d = Datapath.open(shortPins, 1 << 16, BpfConfig.DEFAULTS.withMode(BpfConfig.MODE_DATAPATH)
                .withNetwork(NETWORK).withLifetimes(brief)); RingBufferReader r = d.openReader()) {
            new LbMaps(d).program(frontend("10.96.0.10", 53, UDP), 24, List.of(backend("10.244.2.12", 5353)), null, 0);
            byte[] query = withChecksums(udp("10.244.1.10", 40800, "10.96.0.10", 53, 12));
            d.testRunFrame("from_pod", query, LO);
            d.testRunFrame("from_pod", query, LO);
            Thread.sleep(1300);
            d.testRunFrame("from_pod", query, LO);
            List<Integer> reasons = TraceEvent.drain(r).stream().map(TraceEvent::reason).toList();
            assertEquals(List.of(REPORT_DECISION, REPORT_FLUSH, REPORT_DECISION), reasons,
                    "the second query rides the connection (flushed as its own when the tuple's next connection"
                            + " begins); after its lifetime the third is a new one");
        } finally {
            Datapath.removePins(shortPins);
        }
    }

    @Test
    void aNodePortIsOnlyThisNodesAddress() {
        lb.program(new Frontend(Ipv4Prefix.address("172.20.0.3"), 30082, TCP, true), 21, List.of(backend("10.244.1.11", 8080)), null, 0);
        byte[] syn = withChecksums(tcp(WORLD, 50002, "172.20.0.3", 30082, SYN, 0));
        assertArrayEquals(syn, run("from_network", syn).frame());
        TraceEvent.drain(reader);
    }
}
