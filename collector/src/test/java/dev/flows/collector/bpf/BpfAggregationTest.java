package dev.flows.collector.bpf;

import static dev.flows.collector.bpf.Frames.*;
import static dev.flows.collector.bpf.TraceEvent.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.flows.testing.BpfGate;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Aggregation under other configurations than the default, and what a full ring does. */
@Tag("bpf")
class BpfAggregationTest {
    private static final int LO = 1;
    private Path pins;
    private Datapath dp;
    private RingBufferReader reader;

    @BeforeEach
    void gate() {
        BpfGate.require();
        pins = TestPins.newDir();
    }

    @AfterEach
    void unload() {
        if (reader != null) reader.close();
        if (dp != null) dp.close();
        Datapath.removePins(pins);
    }

    private void open(int ringBytes, BpfConfig config) {
        dp = Datapath.open(pins, ringBytes, config);
        reader = dp.openReader();
    }

    private List<TraceEvent> run(byte[] frame) {
        assertEquals(0, dp.testRun("from_pod", frame, LO));
        return TraceEvent.drain(reader);
    }

    @Test
    void afterTheIntervalTheNextPacketReportsWhatAccumulated() throws InterruptedException {
        open(1 << 16, BpfConfig.DEFAULTS.withAggregationIntervalNs(200_000_000L));
        byte[] udp = udp("10.244.6.1", 43000, "10.244.6.2", 53, 20);

        TraceEvent first = run(udp).get(0);
        assertEquals(List.of(REPORT_FIRST, 1L), List.of(first.reason(), first.packets()));
        assertEquals(List.of(), run(udp), "within the interval");
        assertEquals(List.of(), run(udp), "within the interval");
        Thread.sleep(250); // a 200 ms interval: short, yet long enough for a loaded 2-core CI box
        List<TraceEvent> events = run(udp);
        assertEquals(1, events.size(), events::toString);
        TraceEvent interval = events.get(0);
        assertEquals(REPORT_INTERVAL, interval.reason());
        assertEquals(3, interval.packets(), "the two aggregated packets and this one");
        assertEquals(3L * udp.length, interval.bytes());
        assertEquals(List.of(), run(udp), "the interval restarts at each report");
    }

    @Test
    void newTcpFlagsAreReportedAndASynWithoutAckStartsOver() {
        open(1 << 16, BpfConfig.DEFAULTS);
        byte[] syn = tcp("10.244.6.3", 43001, "10.244.6.4", 80, SYN, 0);
        assertEquals(REPORT_FIRST, run(syn).get(0).reason());
        TraceEvent retry = run(syn).get(0);
        assertEquals(List.of(REPORT_FIRST, 1L), List.of(retry.reason(), retry.packets()),
                "a retransmitted SYN starts the connection's aggregation over, so retries show");
        TraceEvent ack = run(tcp("10.244.6.3", 43001, "10.244.6.4", 80, ACK, 0)).get(0);
        assertEquals(List.of(REPORT_NEW_FLAGS, 1L), List.of(ack.reason(), ack.packets()));
        assertEquals(List.of(), run(tcp("10.244.6.3", 43001, "10.244.6.4", 80, ACK, 0)), "a flag byte seen before");
        // every one of the 256 flag bytes is tracked exactly, not hashed into fewer bits
        for (int flags = 0; flags < 256; flags++) {
            if (flags == SYN || flags == ACK) continue;
            List<TraceEvent> events = run(tcp("10.244.6.3", 43001, "10.244.6.4", 80, flags, 0));
            assertEquals(1, events.size(), "flags 0x" + Integer.toHexString(flags));
            assertEquals(flags, events.get(0).tcpFlags());
        }
    }

    @Test
    void levelNoneReportsEveryPacket() {
        open(1 << 16, BpfConfig.DEFAULTS.withAggregationLevel(BpfConfig.AGG_NONE));
        byte[] udp = udp("10.244.6.5", 43002, "10.244.6.6", 53, 20);
        for (int i = 0; i < 3; i++) {
            List<TraceEvent> events = run(udp);
            assertEquals(1, events.size());
            assertEquals(List.of(REPORT_EVERY, 1L, (long) udp.length),
                    List.of(events.get(0).reason(), events.get(0).packets(), events.get(0).bytes()));
        }
    }

    @Test
    void aFullRingCountsEveryEventItCouldNotTake() {
        int page = 4096;
        open(page, BpfConfig.DEFAULTS.withAggregationLevel(BpfConfig.AGG_NONE));
        int record = (dev.flows.collector.decode.EventLayout.TRACE_SIZE + 8 + 7) & ~7; // event plus the ring's 8-byte record header
        int fits = page / record;
        int sent = fits + 14;
        byte[] udp = udp("10.244.6.7", 43003, "10.244.6.8", 53, 20);
        for (int i = 0; i < sent; i++) {
            dp.testRun("from_pod", udp, LO);
        }
        List<TraceEvent> events = TraceEvent.drain(reader);
        assertEquals(fits, events.size());
        assertEquals(sent - fits, reader.kernelLost());
        assertEquals(sent, events.size() + reader.kernelLost(), "each packet is either read or counted lost");
        assertEquals(1, run(udp).size(), "after draining there is room again");
    }

    @Test
    void aLostFirstReportIsRetriedWithItsCounters() {
        open(4096, BpfConfig.DEFAULTS);
        int port = 44000;
        while (reader.kernelLost() == 0) { // fill the ring with first reports of distinct flows
            dp.testRun("from_pod", udp("10.244.6.9", port++, "10.244.6.10", 53, 20), LO);
        }
        // UDP: a TCP SYN would start the connection over (and flush the lost report's counters)
        byte[] query = udp("10.244.6.11", 43005, "10.244.6.12", 53, 20);
        dp.testRun("from_pod", query, LO); // lost: the ring is full
        TraceEvent.drain(reader);
        TraceEvent e = run(query).get(0);
        assertEquals(List.of(REPORT_FIRST, 2L), List.of(e.reason(), e.packets()),
                "a report that could not be written leaves its counters and flags for the next");
    }
}
