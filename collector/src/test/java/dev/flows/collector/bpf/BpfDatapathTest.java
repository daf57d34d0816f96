package dev.flows.collector.bpf;

import static dev.flows.collector.bpf.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.flows.testing.BpfGate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Loading, pinning and configuration checks of the datapath. */
@Tag("bpf")
class BpfDatapathTest {
    private Path pins;

    @BeforeEach
    void gate() {
        BpfGate.require();
        pins = TestPins.newDir();
    }

    @AfterEach
    void cleanup() {
        Datapath.removePins(pins);
    }

    @Test
    void sharedMapsArePinnedAndReusedByTheNextRun() {
        byte[] syn = tcp("10.244.7.1", 45000, "10.244.7.2", 80, SYN, 0);
        try (Datapath dp = Datapath.open(pins, 1 << 16, BpfConfig.DEFAULTS)) {
            assertEquals(Set.of("events", "events_lost", "flows_ct", "flows_agg", "flows_nat", "flows_lb_services",
                    "flows_lb_backends", "flows_lb_revnat", "flows_lb_maglev", "flows_ipcache", "flows_policy", "flows_endpoints",
                    "flows_svc_opt"), names(pins));
            dp.testRun("from_pod", syn, 1);
        }
        assertEquals(13, names(pins).size(), "pins outlive the datapath");
        try (Datapath dp = Datapath.open(pins, 1 << 16, BpfConfig.DEFAULTS); RingBufferReader r = dp.openReader()) {
            TraceEvent.drain(r); // the first run's event is still in the pinned ring
            dp.testRun("to_pod", tcp("10.244.7.2", 80, "10.244.7.1", 45000, SYN | ACK, 0), 1);
            dp.testRun("from_network", syn, 1);
            List<TraceEvent> events = TraceEvent.drain(r);
            assertEquals(List.of(TraceEvent.DIR_REPLY, TraceEvent.DIR_REQUEST),
                    events.stream().map(TraceEvent::direction).toList(),
                    "the connection table survived the restart and is shared by both objects");
        }
    }

    @Test
    void aPinnedRingOfAnotherSizeIsReplaced() {
        try (Datapath dp = Datapath.open(pins, 1 << 16, BpfConfig.DEFAULTS)) {
            assertEquals(1 << 16, dp.ringBytes());
        }
        try (Datapath dp = Datapath.open(pins, 1 << 17, BpfConfig.DEFAULTS); RingBufferReader r = dp.openReader()) {
            dp.testRun("from_pod", udp("10.244.7.3", 45001, "10.244.7.4", 53, 1), 1);
            assertEquals(1, TraceEvent.drain(r).size());
        }
    }

    @Test
    void repeatedTestRunEmitsOneEventPerRun() {
        BpfConfig none = BpfConfig.DEFAULTS.withAggregationLevel(BpfConfig.AGG_NONE);
        try (Datapath dp = Datapath.open(pins, 1 << 20, none); RingBufferReader r = dp.openReader()) {
            assertEquals(0, dp.testRun("from_pod", udp("10.244.7.5", 45002, "10.244.7.6", 53, 1), 1, 1000));
            List<TraceEvent> events = TraceEvent.drain(r);
            assertEquals(1000, events.size());
            assertTrue(events.stream().allMatch(e -> e.sport() == 45002), "every run saw the same frame");
            assertEquals(0, r.kernelLost());
        }
    }

    @Test
    void repeatBelowOneIsRefused() {
        try (Datapath dp = Datapath.open(pins, 1 << 16, BpfConfig.DEFAULTS)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> dp.testRun("from_pod", new byte[64], 1, 0));
            assertTrue(e.getMessage().endsWith("got 0"), e.getMessage());
        }
    }

    @Test
    void badRingSizesAreNamed() {
        for (int bad : new int[] {0, 5000, 4096 * 3, 1 << 30}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Datapath.open(pins, bad, BpfConfig.DEFAULTS));
            assertTrue(e.getMessage().endsWith("got " + bad), e.getMessage());
        }
    }

    @Test
    void removePinsRemovesTheDirectory() {
        Datapath.open(pins, 1 << 16, BpfConfig.DEFAULTS).close();
        Datapath.removePins(pins);
        assertFalse(Files.exists(pins));
        Datapath.removePins(pins); // missing is fine
    }

    private static Set<String> names(Path dir) {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
