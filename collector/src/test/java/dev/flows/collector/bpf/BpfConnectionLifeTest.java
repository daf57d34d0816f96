package dev.flows.collector.bpf;

import static dev.flows.collector.bpf.Frames.*;
import static dev.flows.collector.bpf.TraceEvent.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.flows.testing.BpfGate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Aggregation follows the connection's life (issue 11): a new connection on a reused tuple is
 * reported as new, the first packet of each direction is always a trace, and counters that no
 * later packet reports are flushed, so the packets of all traces add up to the packets sent.
 */
@Tag("bpf")
class BpfConnectionLifeTest {
    private static final int LO = 1;
    private static final String CLIENT = "10.244.7.1", SERVER = "10.244.7.2";
    private Path pins;
    private Datapath dp;
    private RingBufferReader reader;
    /** Every event this test read, for the packet count at the end. */
    private final List<TraceEvent> all = new ArrayList<>();
    private long sent;

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

    private void open(BpfConfig config) {
        dp = Datapath.open(pins, 1 << 20, config);
        reader = dp.openReader();
    }

    private List<TraceEvent> run(String program, byte[] frame) {
        assertEquals(0, dp.testRun(program, frame, LO));
        sent++;
        List<TraceEvent> events = TraceEvent.drain(reader);
        all.addAll(events);
        return events;
    }

    private List<TraceEvent> request(int sport, int flags) {
        return run("from_pod", tcp(CLIENT, sport, SERVER, 80, flags, 0));
    }

    private List<TraceEvent> reply(int sport, int flags) {
        return run("from_pod", tcp(SERVER, 80, CLIENT, sport, flags, 0));
    }

    private static List<Integer> reasons(List<TraceEvent> events) {
        return events.stream().map(TraceEvent::reason).toList();
    }

    /** A whole connection; its last ACK is held back by aggregation (a flag byte seen before). */
    private void connectionClosedByFin(int sport) {
        request(sport, SYN);
        reply(sport, SYN | ACK);
        request(sport, ACK);
        request(sport, PSH | ACK);
        reply(sport, PSH | ACK);
        request(sport, FIN | ACK);
        reply(sport, FIN | ACK);
        assertEquals(List.of(), request(sport, ACK), "the last ACK is aggregated");
    }

    private void assertEveryPacketCounted() {
        assertEquals(sent, all.stream().mapToLong(TraceEvent::packets).sum(),
                () -> "packets in traces vs packets run: " + all);
    }

    @Test
    void aTupleReusedAfterFinIsANewConnection() {
        open(BpfConfig.DEFAULTS);
        connectionClosedByFin(45000);
        List<TraceEvent> syn = request(45000, SYN);
        assertEquals(List.of(REPORT_FLUSH, REPORT_FIRST), reasons(syn),
                "the old connection's held-back ACK is flushed as its own, then the new SYN is a first");
        assertEquals(List.of(1L, 1L), List.of(syn.get(0).packets(), syn.get(1).packets()));
        assertEquals(List.of(ACK, SYN), List.of(syn.get(0).tcpFlags(), syn.get(1).tcpFlags()));
        assertEquals(0, syn.get(0).pktLen(), "a flush is no packet of its own");
        assertEquals(List.of(REPORT_FIRST), reasons(reply(45000, SYN | ACK)), "the reply side starts over too");
        assertEquals(List.of(REPORT_NEW_FLAGS), reasons(request(45000, ACK)), "every flag is reported again");
        assertEquals(List.of(REPORT_NEW_FLAGS), reasons(reply(45000, PSH | ACK)));
        assertEveryPacketCounted();
    }

    @Test
    void aTupleReusedAfterRstIsANewConnection() {
        open(BpfConfig.DEFAULTS);
        request(45001, SYN);
        reply(45001, SYN | ACK);
        request(45001, ACK);
        assertEquals(List.of(), request(45001, ACK));
        assertEquals(List.of(REPORT_NEW_FLAGS), reasons(reply(45001, RST)));
        List<TraceEvent> syn = request(45001, SYN);
        assertEquals(List.of(REPORT_FLUSH, REPORT_FIRST), reasons(syn));
        assertEquals(DIR_REQUEST, syn.get(1).direction());
        List<TraceEvent> synAck = reply(45001, SYN | ACK);
        assertEquals(List.of(REPORT_FIRST), reasons(synAck));
        assertEquals(List.of(DIR_REPLY, CT_ESTABLISHED), List.of(synAck.get(0).direction(), synAck.get(0).ctState()));
        assertEveryPacketCounted();
    }

    @Test
    void aSynRetriedAfterARstIsReportedWithItsRst() {
        open(BpfConfig.DEFAULTS);
        for (int attempt = 0; attempt < 3; attempt++) {
            assertEquals(List.of(REPORT_FIRST), reasons(request(45002, SYN)), "attempt " + attempt);
            assertEquals(List.of(REPORT_FIRST), reasons(reply(45002, RST | ACK)),
                    "attempt " + attempt + ": the refusal of every attempt is reported, not only the first");
        }
        assertEveryPacketCounted();
    }

    @Test
    void udpReusedAfterItsEntryExpiredIsANewExchange() throws InterruptedException {
        Duration udpLife = Duration.ofMillis(200);
        BpfConfig.Lifetimes d = BpfConfig.Lifetimes.DEFAULTS;
        open(BpfConfig.DEFAULTS.withLifetimes(new BpfConfig.Lifetimes(d.tcpSyn(), d.tcpEstablished(), udpLife, d.closing())));
        byte[] query = udp(CLIENT, 46703, SERVER, 5353, 30);
        byte[] answer = udp(SERVER, 5353, CLIENT, 46703, 60);
        assertEquals(List.of(REPORT_FIRST), reasons(run("to_pod", query)));
        assertEquals(List.of(REPORT_FIRST), reasons(run("to_pod", answer)));
        assertEquals(List.of(), run("to_pod", query), "the same exchange, within the entry's life");
        Thread.sleep(300); // the entry expires after 200 ms of quiet; the aggregation interval is 5 s
        List<TraceEvent> again = run("to_pod", query);
        assertEquals(List.of(REPORT_FLUSH, REPORT_FIRST), reasons(again),
                "the held-back query of the old exchange, then the new exchange's first packet");
        assertEquals(List.of(DIR_REQUEST, CT_NEW), List.of(again.get(1).direction(), again.get(1).ctState()));
        List<TraceEvent> answered = run("to_pod", answer);
        assertEquals(List.of(REPORT_FIRST), reasons(answered));
        assertEquals(DIR_REPLY, answered.get(0).direction());
        assertEveryPacketCounted();
    }

    @Test
    void heldBackCountersAreFlushedWithoutAnotherPacket() throws InterruptedException {
        open(BpfConfig.DEFAULTS.withAggregationIntervalNs(200_000_000L));
        byte[] udp = udp(CLIENT, 43010, SERVER, 53, 20);
        TraceEvent first = run("from_pod", udp).get(0);
        assertEquals(REPORT_FIRST, first.reason());
        for (int i = 0; i < 4; i++) {
            assertEquals(List.of(), run("from_pod", udp));
        }
        assertEquals(0, dp.flushAggregation(), "the interval has not ended: nothing to flush yet");
        assertEquals(List.of(), TraceEvent.drain(reader));
        Thread.sleep(250);
        assertEquals(1, dp.flushAggregation());
        List<TraceEvent> flushed = TraceEvent.drain(reader);
        all.addAll(flushed);
        assertEquals(1, flushed.size(), flushed::toString);
        TraceEvent f = flushed.get(0);
        assertAll(
                () -> assertEquals(REPORT_FLUSH, f.reason()),
                () -> assertEquals(List.of(4L, 4L * udp.length), List.of(f.packets(), f.bytes())),
                () -> assertEquals(List.of(CLIENT, 43010, SERVER, 53, 17), List.of(f.src(), f.sport(), f.dst(), f.dport(), f.proto())),
                () -> assertEquals(List.of(TRACE, OBS_FROM_ENDPOINT, LO, DIR_REQUEST), List.of(f.type(), f.obsPoint(), f.ifindex(), f.direction())),
                () -> assertEquals(List.of(SERVER, 53), List.of(f.xDst(), f.xDport()), "the tuple as it left, kept from the last report"),
                () -> assertEquals(0, f.pktLen()));
        assertEquals(0, dp.flushAggregation(), "flushed counters are not flushed twice");
        assertEquals(List.of(), TraceEvent.drain(reader));
        assertEveryPacketCounted();
        assertEquals(List.of(), run("from_pod", udp), "the flush began a new interval");
    }

    @Test
    void theFlushRemovesKeysLongIdleAndTheirNextPacketIsAFirst() throws InterruptedException {
        open(BpfConfig.DEFAULTS.withAggregationIntervalNs(50_000_000L));
        byte[] idle = udp(CLIENT, 43030, SERVER, 53, 20);
        byte[] busy = udp(CLIENT, 43031, SERVER, 53, 20);
        run("from_pod", idle);
        run("from_pod", idle); // held back, flushed below
        Thread.sleep(100);
        assertEquals(1, dp.flushAggregation());
        all.addAll(TraceEvent.drain(reader));
        Thread.sleep(250); // more than 4 intervals of 50 ms without a packet
        run("from_pod", busy);
        assertEquals(0, dp.flushAggregation());
        java.util.List<String> keys = new ArrayList<>();
        dp.map("flows_agg").forEach((k, v) -> keys.add(java.util.HexFormat.of().formatHex(k, 32, 36)));
        assertEquals(1, keys.size(), "only the busy key stays: " + keys);
        assertEquals(List.of(REPORT_FIRST), reasons(run("from_pod", idle)), "a key that comes back starts a new life");
        assertEveryPacketCounted();
    }

    @Test
    void theFirstPacketOfEachDirectionAtEachHookIsReported() {
        open(BpfConfig.DEFAULTS);
        byte[] query = udp(CLIENT, 43020, SERVER, 53, 20);
        byte[] answer = udp(SERVER, 53, CLIENT, 43020, 40);
        for (String hook : List.of("from_pod", "to_pod")) {
            for (int i = 0; i < 5; i++) {
                assertEquals(i == 0 ? List.of(REPORT_FIRST) : List.of(), reasons(run(hook, query)), hook + " query " + i);
            }
            List<TraceEvent> first = run(hook, answer);
            assertEquals(List.of(REPORT_FIRST), reasons(first), hook + ": the first answer after many queries");
            assertEquals(List.of(DIR_REPLY, 1L), List.of(first.get(0).direction(), first.get(0).packets()));
        }
        request(45003, SYN);
        assertEquals(List.of(REPORT_FIRST), reasons(reply(45003, SYN | ACK)));
        for (String hook : List.of("from_pod", "to_pod")) {
            for (String side : List.of("request", "reply")) {
                byte[] ack = side.equals("request") ? tcp(CLIENT, 45004, SERVER, 80, ACK, 10) : tcp(SERVER, 80, CLIENT, 45004, ACK, 10);
                List<TraceEvent> e = run(hook, ack);
                assertEquals(List.of(REPORT_FIRST), reasons(e), hook + " " + side + ": joined mid-stream, still a first");
            }
        }
    }
}
