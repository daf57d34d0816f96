package dev.flows.relay.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.LostEvent;
import dev.flows.proto.flow.LostEventSource;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.relay.NodeState;
import dev.flows.proto.relay.NodeStatusEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The relay's reading of a collector's bytes agrees with protobuf's own parse, and bad bytes never throw. */
class ResponseScanTest {
    static final long T = Timestamps.toNanos(Timestamps.parseUnchecked("2026-11-21T22:30:00.123456789Z"));

    static GetFlowsResponse flow(long t) {
        Flow f = Flow.newBuilder().setTime(Timestamps.fromNanos(t)).setNodeName("node-0")
                .setIP(IP.newBuilder().setSource("10.244.0.7").setDestination("10.244.1.9"))
                .setSource(Endpoint.newBuilder().setNamespace("shop").setPodName("cart-7d9f").addLabels("app=cart"))
                .build();
        return GetFlowsResponse.newBuilder().setFlow(f).setNodeName("node-0").setTime(f.getTime()).build();
    }

    static GetFlowsResponse lost(long t) {
        return GetFlowsResponse.newBuilder().setNodeName("node-0").setTime(Timestamps.fromNanos(t))
                .setLostEvents(LostEvent.newBuilder().setSource(LostEventSource.HUBBLE_RING_BUFFER).setNumEventsLost(12)).build();
    }

    /** Kind and time as protobuf's parser sees them, or empty if it refuses the bytes or the time. */
    static Optional<RawResponse> expected(byte[] b) {
        try {
            GetFlowsResponse r = GetFlowsResponse.parseFrom(b);
            return Optional.of(RawResponse.of(r));
        } catch (InvalidProtocolBufferException | IllegalArgumentException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    static void assertAgrees(byte[] b) {
        RawResponse scanned = ResponseScan.scan(b);
        assertArrayEquals(b, sent(scanned), "the bytes pass through untouched");
        // inside a batch a response is scanned where it lies: the bytes around it must not count
        byte[] batch = new byte[b.length + 6];
        Arrays.fill(batch, (byte) 0xFF);
        System.arraycopy(b, 0, batch, 3, b.length);
        RawResponse inBatch = ResponseScan.scan(batch, 3, b.length);
        assertEquals(scanned.kind(), inBatch.kind(), "in a batch");
        assertEquals(scanned.timeNanos(), inBatch.timeNanos(), "in a batch");
        assertArrayEquals(b, sent(inBatch), "only its own bytes are sent from a batch");
        Optional<RawResponse> want = expected(b);
        if (scanned.kind() == RawResponse.Kind.MALFORMED) {
            assertTrue(want.isEmpty(), () -> "scan refused bytes protobuf reads as " + want.get().kind());
        } else if (want.isPresent()) {
            assertEquals(want.get().kind(), scanned.kind());
            assertEquals(want.get().timeNanos(), scanned.timeNanos());
        }
    }

    /** What gRPC's framer would send for the response. */
    static byte[] sent(RawResponse r) {
        try {
            return r.stream().readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void readsKindAndTimeOfWhatCollectorsSend() {
        RawResponse f = ResponseScan.scan(flow(T).toByteArray());
        assertEquals(RawResponse.Kind.FLOW, f.kind());
        assertEquals(T, f.timeNanos());

        RawResponse l = ResponseScan.scan(lost(T + 5).toByteArray());
        assertEquals(RawResponse.Kind.LOST_EVENTS, l.kind());
        assertEquals(T + 5, l.timeNanos());

        GetFlowsResponse status = GetFlowsResponse.newBuilder().setTime(Timestamps.fromNanos(T - 1))
                .setNodeStatus(NodeStatusEvent.newBuilder().setStateChange(NodeState.NODE_CONNECTED).addNodeNames("a")).build();
        RawResponse s = ResponseScan.scan(status.toByteArray());
        assertEquals(RawResponse.Kind.NODE_STATUS, s.kind());
        assertEquals(T - 1, s.timeNanos());

        RawResponse empty = ResponseScan.scan(new byte[0]);
        assertEquals(RawResponse.Kind.OTHER, empty.kind());
        assertEquals(0, empty.timeNanos());
    }

    @Test
    void aFlowIsOrderedByItsOwnTimeNotTheResponseTime() {
        byte[] b = flow(T).toBuilder().setTime(Timestamps.fromNanos(T + 999)).build().toByteArray();
        assertEquals(T, ResponseScan.scan(b).timeNanos());
        assertAgrees(b);
    }

    @Test
    void fieldsInAnyOrderUnknownFieldsAndGroupsAreReadAsProtobufDoes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeString(1000, "node-9");
        out.writeMessage(1001, Timestamps.fromNanos(T + 7));
        // unknown fields of every wire type, a group with a nested group among them
        out.writeUInt64(77, 1L << 60);
        out.writeFixed64(78, 5);
        out.writeFixed32(79, 6);
        out.writeBytes(80, ByteString.copyFromUtf8("x".repeat(300)));
        out.writeTag(81, 3);
        out.writeUInt32(1, 1);
        out.writeTag(82, 3);
        out.writeTag(82, 4);
        out.writeTag(81, 4);
        // the flow last, with its time after its other fields
        Flow f = flow(T).getFlow();
        byte[] flowBytes = f.toBuilder().clearTime().build().toByteString()
                .concat(Flow.newBuilder().setTime(f.getTime()).build().toByteString()).toByteArray();
        out.writeByteArray(1, flowBytes);
        out.flush();
        byte[] b = bytes.toByteArray();
        RawResponse r = ResponseScan.scan(b);
        assertEquals(RawResponse.Kind.FLOW, r.kind());
        assertEquals(T, r.timeNanos());
        assertAgrees(b);
    }

    @Test
    void theLastOneofWinsAndARepeatedFlowIsMerged() {
        byte[] flowThenLost = concat(flow(T).toByteArray(), lost(T + 50).toByteArray());
        assertEquals(RawResponse.Kind.LOST_EVENTS, ResponseScan.scan(flowThenLost).kind());
        assertAgrees(flowThenLost);

        byte[] lostThenFlow = concat(lost(T + 50).toByteArray(), flow(T).toByteArray());
        assertEquals(RawResponse.Kind.FLOW, ResponseScan.scan(lostThenFlow).kind());
        assertAgrees(lostThenFlow);

        // two flow fields merge: seconds from the first, nanos from the second
        Timestamp a = Timestamp.newBuilder().setSeconds(1_800_000_000L).build();
        Timestamp b = Timestamp.newBuilder().setNanos(42).build();
        byte[] merged = concat(GetFlowsResponse.newBuilder().setFlow(Flow.newBuilder().setTime(a)).build().toByteArray(),
                GetFlowsResponse.newBuilder().setFlow(Flow.newBuilder().setTime(b)).build().toByteArray());
        assertEquals(1_800_000_000L * 1_000_000_000L + 42, ResponseScan.scan(merged).timeNanos());
        assertAgrees(merged);
    }

    @Test
    void everyTruncationIsMalformedOrAWholeMessageNeverAnException() {
        byte[] whole = concat(flow(T).toByteArray(), lost(T).toByteArray());
        for (int n = 0; n < whole.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(whole, n);
            assertAgrees(cut);
            if (expected(cut).isEmpty()) {
                assertEquals(RawResponse.Kind.MALFORMED, ResponseScan.scan(cut).kind(), "cut at " + n);
            }
        }
    }

    @Test
    void badTimesAndBadWireAreMalformed() {
        // nanos out of range, seconds past year 9999, a time past 2262 (no long nanoseconds)
        for (Timestamp t : new Timestamp[] {Timestamp.newBuilder().setNanos(-1).build(),
                Timestamp.newBuilder().setNanos(1_000_000_000).build(),
                Timestamp.newBuilder().setSeconds(253_402_300_800L).build(),
                Timestamp.newBuilder().setSeconds(10_000_000_000L).build()}) {
            byte[] b = GetFlowsResponse.newBuilder().setFlow(Flow.newBuilder().setTime(t)).build().toByteArray();
            assertEquals(RawResponse.Kind.MALFORMED, ResponseScan.scan(b).kind(), t.toString());
        }
        assertEquals(RawResponse.Kind.MALFORMED, ResponseScan.scan(new byte[] {(byte) 0x0F}).kind(), "wire type 7");
        assertEquals(RawResponse.Kind.MALFORMED, ResponseScan.scan(new byte[] {0x0C}).kind(), "an end-group alone");
        assertEquals(RawResponse.Kind.MALFORMED, ResponseScan.scan(new byte[] {0x00, 0x00}).kind(), "field number 0");
        byte[] longVarint = new byte[12];
        Arrays.fill(longVarint, (byte) 0xFF);
        longVarint[0] = 0x08;
        assertEquals(RawResponse.Kind.MALFORMED, ResponseScan.scan(longVarint).kind(), "a varint of more than ten bytes");
        byte[] deep = new byte[4 * 200];
        for (int i = 0; i < 200; i++) {
            // start and end of a group with field number 119
            deep[2 * i] = (byte) 0xBB;
            deep[2 * i + 1] = 0x07;
            deep[deep.length - 2 - 2 * i] = (byte) 0xBC;
            deep[deep.length - 1 - 2 * i] = 0x07;
        }
        assertEquals(RawResponse.Kind.MALFORMED, ResponseScan.scan(deep).kind(), "groups nested beyond 100");
        assertAgrees(deep);
        // a flow whose inner field claims more than the flow holds
        byte[] overrun = {0x0A, 0x03, 0x2A, 0x05, 0x01};
        assertEquals(RawResponse.Kind.MALFORMED, ResponseScan.scan(overrun).kind());
        assertAgrees(overrun);
    }

    @Test
    void randomDamageNeverThrowsAndNeverDisagreesWithProtobuf() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] good = concat(flow(T).toByteArray(), lost(T + 1).toByteArray(), flow(T + 2).toByteArray());
        for (int i = 0; i < 20_000; i++) {
            byte[] b = good.clone();
            for (int k = random.nextInt(1, 4); k > 0; k--) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            assertAgrees(b);
        }
        for (int i = 0; i < 5_000; i++) {
            byte[] b = new byte[random.nextInt(64)];
            random.nextBytes(b);
            assertAgrees(b);
        }
    }

    @Test
    void whatTheRelayMakesItselfKeepsItsBytes() throws InvalidProtocolBufferException {
        GetFlowsResponse r = lost(T);
        RawResponse raw = RawResponse.of(r);
        assertArrayEquals(r.toByteArray(), sent(raw));
        assertEquals(r, GetFlowsResponse.parseFrom(sent(raw)));
        assertEquals(RawResponse.Kind.LOST_EVENTS, raw.kind());
        assertEquals(T, raw.timeNanos());
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
