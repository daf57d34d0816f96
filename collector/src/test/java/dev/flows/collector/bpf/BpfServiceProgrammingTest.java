package dev.flows.collector.bpf;

import static dev.flows.collector.bpf.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Pod;
import dev.flows.cluster.Service;
import dev.flows.collector.datapath.ConntrackSweeper;
import dev.flows.collector.datapath.DesiredServices;
import dev.flows.collector.datapath.LbMaps;
import dev.flows.collector.datapath.ServiceProgrammer;
import dev.flows.testing.BpfGate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Services programmed from cluster state into the real maps: a restarted collector adopts them
 * without disturbing connections, and the sweeper removes only what expired.
 */
@Tag("bpf")
class BpfServiceProgrammingTest {
    private static final int LO = 1;
    private static final ClusterState CART = new ClusterState(List.of(), List.of(),
            List.of(new Pod("shop", "cart-1", Map.of("app", "cart"), Map.of(), "node-b", "10.244.2.11", List.of(),
                    List.of(new Pod.ContainerPort("http", 8080, "TCP")), true)),
            List.of(new Service("shop", "cart", "ClusterIP", "10.96.10.20", Map.of("app", "cart"),
                    List.of(new Service.Port("http", "TCP", 80, "http", 0)))));
    private Path pins;

    @BeforeEach
    void pins() {
        BpfGate.require();
        pins = TestPins.newDir();
    }

    @AfterEach
    void removePins() {
        if (pins != null) Datapath.removePins(pins);
    }

    private Datapath open(BpfConfig.Lifetimes lifetimes) {
        return Datapath.open(pins, 1 << 16, BpfConfig.DEFAULTS.withMode(BpfConfig.MODE_DATAPATH)
                .withNetwork(BpfServiceTest.NETWORK).withLifetimes(lifetimes));
    }

    private static Map<String, DesiredServices.ServiceSpec> desired(ClusterState s) {
        return DesiredServices.of(s, 0, n -> {});
    }

    @Test
    void aRestartedCollectorAdoptsTheServicesAndConnectionsGoOn() {
        byte[] syn = withChecksums(tcp("10.244.1.10", 40900, "10.96.10.20", 80, SYN, 0));
        try (Datapath first = open(BpfConfig.Lifetimes.DEFAULTS)) {
            ServiceProgrammer p = ServiceProgrammer.adopt(new LbMaps(first), false);
            assertEquals(new ServiceProgrammer.Changes(1, 1, 0), p.apply(desired(CART)));
            assertEquals("10.244.2.11:8080", dst(first.testRunFrame("from_pod", syn, LO).frame()));
        }
        try (Datapath second = open(BpfConfig.Lifetimes.DEFAULTS)) {
            ServiceProgrammer p = ServiceProgrammer.adopt(new LbMaps(second), false);
            assertEquals(new ServiceProgrammer.Changes(0, 0, 0), p.apply(desired(CART)), "nothing to rewrite");
            assertEquals("cart", p.byId(1).getName());
            byte[] synAck = withChecksums(tcp("10.244.2.11", 8080, "10.244.1.10", 40900, SYN | ACK, 0));
            assertEquals("10.96.10.20:80", src(second.testRunFrame("to_pod", synAck, LO).frame()),
                    "the reply of a connection opened before the restart is translated back");
            byte[] ack = withChecksums(tcp("10.244.1.10", 40900, "10.96.10.20", 80, ACK, 0));
            assertEquals("10.244.2.11:8080", dst(second.testRunFrame("from_pod", ack, LO).frame()));

            assertEquals(new ServiceProgrammer.Changes(1, 0, 1), p.apply(desired(ClusterState.EMPTY)));
            byte[] later = withChecksums(tcp("10.244.1.10", 40901, "10.96.10.20", 80, SYN, 0));
            assertArrayEquals(later, second.testRunFrame("from_pod", later, LO).frame(), "a removed service translates nothing");
        }
    }

    @Test
    void theSweeperRemovesExpiredEntriesAndRevNatNobodyNeeds() {
        BpfConfig.Lifetimes brief = new BpfConfig.Lifetimes(Duration.ofSeconds(10), Duration.ofHours(1), Duration.ofHours(1),
                Duration.ofSeconds(10));
        long[] later = {0};
        try (Datapath dp = open(brief)) {
            ServiceProgrammer p = ServiceProgrammer.adopt(new LbMaps(dp), false);
            p.apply(desired(CART));
            // The sweeper's clock runs ahead on demand: no sleeping for lifetimes to pass.
            ConntrackSweeper sweeper = new ConntrackSweeper(dp, () -> BootClock.nanos() + later[0], p::ids);
            dp.testRunFrame("from_pod", withChecksums(tcp("10.244.1.10", 41900, "10.96.10.20", 80, SYN, 0)), LO);
            dp.testRunFrame("from_pod", withChecksums(udp("10.244.1.10", 41901, "10.244.2.20", 53, 8)), LO);
            assertEquals(3, count(dp.map(MapLayout.CT)), "service entry + translated connection + UDP");

            assertEquals(new ConntrackSweeper.Sweep(3, 0, 0, 0), sweeper.sweep(), "nothing expired yet");
            p.apply(desired(ClusterState.EMPTY));
            assertEquals(new ConntrackSweeper.Sweep(3, 0, 0, 0), sweeper.sweep(),
                    "the service is gone but a connection still needs its rev-NAT entry");
            later[0] = Duration.ofSeconds(20).toNanos();
            assertEquals(new ConntrackSweeper.Sweep(1, 2, 0, 1), sweeper.sweep(),
                    "the unanswered SYN expired (both entries), then its rev-NAT entry went; UDP lives on");
            assertEquals(1, count(dp.map(MapLayout.CT)));
            assertEquals(0, count(dp.map(MapLayout.LB_REVNAT)));
            assertEquals(2, sweeper.expiredTotal());
        }
    }

    private static int count(BpfMap map) {
        int[] n = {0};
        map.forEach((k, v) -> n[0]++);
        return n[0];
    }
}
