package dev.flows.relay.export.otlp;

import static dev.flows.proto.flow.TraceObservationPoint.FROM_ENDPOINT;
import static dev.flows.proto.flow.TraceObservationPoint.FROM_NETWORK;
import static dev.flows.proto.flow.TraceObservationPoint.TO_ENDPOINT;
import static dev.flows.proto.flow.TraceObservationPoint.TO_NETWORK;
import static dev.flows.relay.export.otlp.TestFlows.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.relay.export.ConnectionKey;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectionTracesTest {
    static final long MS = 1_000_000L;
    static final long T0 = 1_700_000_000_000L * MS;

    final ConnectionTraces traces = new ConnectionTraces(Duration.ofSeconds(60), 1000);

    @Test
    void everyObservationOfOneConnectionOnBothNodesAndBothDirectionsHasOneTraceId() {
        String id = traces.of(tcp(T0, "node-a", FROM_ENDPOINT, false, 40000, "SYN")).traceId;
        assertEquals(32, id.length());
        assertTrue(id.matches("[0-9a-f]{32}"), id);
        assertEquals(id, traces.of(tcp(T0 + 1 * MS, "node-a", TO_NETWORK, false, 40000, "SYN")).traceId);
        assertEquals(id, traces.of(tcp(T0 + 2 * MS, "node-b", FROM_NETWORK, false, 40000, "SYN")).traceId);
        assertEquals(id, traces.of(tcp(T0 + 3 * MS, "node-b", TO_ENDPOINT, false, 40000, "SYN")).traceId);
        assertEquals(id, traces.of(tcp(T0 + 4 * MS, "node-b", FROM_ENDPOINT, true, 40000, "SYN,ACK")).traceId);
        assertEquals(id, traces.of(tcp(T0 + 5 * MS, "node-a", TO_ENDPOINT, true, 40000, "SYN,ACK")).traceId);
        assertEquals(id, traces.of(tcp(T0 + 6 * MS, "node-a", FROM_ENDPOINT, false, 40000, "ACK,PSH")).traceId);
        assertEquals(1, traces.size());
    }

    @Test
    void theTraceIdDerivesFromTheKeyAndTheStartAlone() {
        // a second relay (or a restart) that first sees the connection at the same flow derives the same id
        ConnectionTraces other = new ConnectionTraces(Duration.ofSeconds(5), 10);
        assertEquals(traces.of(tcp(T0, "node-b", TO_ENDPOINT, false, 40000, "SYN")).traceId,
                other.of(tcp(T0, "node-a", FROM_ENDPOINT, false, 40000, "SYN")).traceId);
        byte[] key = ConnectionKey.of(tcp(T0, "node-a", FROM_ENDPOINT, false, 40000, "SYN")).bytes();
        assertEquals(traces.traceId(key, T0), other.traceId(key, T0));
        assertNotEquals(traces.traceId(key, T0), traces.traceId(key, T0 + 1));
    }

    @Test
    void aNewSynOnAReusedTupleAfterFinStartsANewTrace() {
        String first = traces.of(tcp(T0, "node-a", FROM_ENDPOINT, false, 40000, "SYN")).traceId;
        assertEquals(first, traces.of(tcp(T0 + MS, "node-a", FROM_ENDPOINT, false, 40000, "FIN,ACK")).traceId);
        // the other side's FIN and the last ACK still belong to the closing connection
        assertEquals(first, traces.of(tcp(T0 + 2 * MS, "node-b", FROM_ENDPOINT, true, 40000, "FIN,ACK")).traceId);
        assertEquals(first, traces.of(tcp(T0 + 3 * MS, "node-a", FROM_ENDPOINT, false, 40000, "ACK")).traceId);
        String second = traces.of(tcp(T0 + 4 * MS, "node-a", FROM_ENDPOINT, false, 40000, "SYN")).traceId;
        assertNotEquals(first, second);
        // the new SYN seen again on node-b is the same new connection
        assertEquals(second, traces.of(tcp(T0 + 5 * MS, "node-b", TO_ENDPOINT, false, 40000, "SYN")).traceId);
    }

    @Test
    void anotherNodesSynArrivingAfterTheCloseButOlderThanItStaysInTheConnectionsTrace() {
        // under load the relay's merge can pass node-b's observations after node-a's whole connection
        String first = traces.of(tcp(T0, "node-a", FROM_ENDPOINT, false, 40000, "SYN")).traceId;
        assertEquals(first, traces.of(tcp(T0 + 5 * MS, "node-a", FROM_ENDPOINT, false, 40000, "FIN,ACK")).traceId);
        assertEquals(first, traces.of(tcp(T0 + 2 * MS, "node-b", TO_ENDPOINT, false, 40000, "SYN")).traceId);
        assertEquals(first, traces.of(tcp(T0 + 3 * MS, "node-b", FROM_ENDPOINT, true, 40000, "SYN,ACK")).traceId);
        assertNotEquals(first, traces.of(tcp(T0 + 9 * MS, "node-a", FROM_ENDPOINT, false, 40000, "SYN")).traceId);
    }

    @Test
    void aRetransmittedSynOfAnOpenConnectionStaysInItsTrace() {
        String first = traces.of(tcp(T0, "node-a", FROM_ENDPOINT, false, 40000, "SYN")).traceId;
        assertEquals(first, traces.of(tcp(T0 + 1000 * MS, "node-a", FROM_ENDPOINT, false, 40000, "SYN")).traceId);
    }

    @Test
    void aConnectionIdleForLongerThanTheIdleTimeStartsANewTrace() {
        String first = traces.of(tcp(T0, "node-a", FROM_ENDPOINT, false, 40000, "ACK")).traceId;
        assertEquals(first, traces.of(tcp(T0 + 60_000 * MS, "node-a", FROM_ENDPOINT, false, 40000, "ACK")).traceId);
        assertNotEquals(first, traces.of(tcp(T0 + 120_001 * MS, "node-a", FROM_ENDPOINT, false, 40000, "ACK")).traceId);
    }

    @Test
    void idleConnectionsAreForgottenAndAFullTableEvictsTheLeastRecentlySeenAndCountsIt() {
        ConnectionTraces small = new ConnectionTraces(Duration.ofSeconds(1), 2);
        String a = small.of(tcp(T0, "node-a", FROM_ENDPOINT, false, 1, "SYN")).traceId;
        small.of(tcp(T0 + MS, "node-a", FROM_ENDPOINT, false, 2, "SYN"));
        small.of(tcp(T0 + 2 * MS, "node-a", FROM_ENDPOINT, false, 1, "ACK"));
        small.of(tcp(T0 + 3 * MS, "node-a", FROM_ENDPOINT, false, 3, "SYN"));
        assertEquals(1, small.evicted(), "port 2 was the least recently seen");
        assertEquals(a, small.of(tcp(T0 + 4 * MS, "node-a", FROM_ENDPOINT, false, 1, "ACK")).traceId);
        small.of(tcp(T0 + 5_000 * MS, "node-a", FROM_ENDPOINT, false, 4, "SYN"));
        assertEquals(1, small.size(), "the idle connections expired");
        assertEquals(1, small.evicted(), "expiry is not eviction");
    }
}
