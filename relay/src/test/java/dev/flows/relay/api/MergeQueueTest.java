package dev.flows.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.observer.GetFlowsResponse;
import org.junit.jupiter.api.Test;

/** The merge's release rule: exact when every node has spoken, otherwise at most the window late. */
class MergeQueueTest {
    static final long W = 1_000_000_000L;

    static RawResponse flow(long t) {
        return RawResponse.of(GetFlowsResponse.newBuilder().setFlow(Flow.newBuilder().setTime(Timestamps.fromNanos(t))).build());
    }

    static long time(MergeQueue.Item i) {
        return i.response().timeNanos();
    }

    @Test
    void releasesTheOldestOnceEveryOpenNodeHasSomethingPending() {
        MergeQueue q = new MergeQueue(W, 100);
        q.open("a", 0);
        q.open("b", 0);
        q.offer("a", flow(30), 0, true);
        assertNull(q.poll(10), "b may still send something older");
        q.offer("b", flow(20), 5, true);
        assertEquals(20, time(q.poll(10)));
        assertNull(q.poll(10), "b has nothing pending again");
        q.close("b");
        assertEquals(30, time(q.poll(10)), "b is over: nothing older can come");
        assertTrue(q.hasOpenSources());
        q.close("a");
        assertTrue(q.finished());
    }

    @Test
    void aQuietNodeDelaysTheOthersByAtMostTheWindow() {
        MergeQueue q = new MergeQueue(W, 100);
        q.open("a", 0);
        q.open("quiet", 0);
        q.offer("a", flow(5), 100, true);
        assertNull(q.poll(100 + W - 1));
        assertEquals(100 + W, q.nextDeadline(100 + W - 1));
        assertEquals(5, time(q.poll(100 + W)));
    }

    @Test
    void aHistoryWaitsForASlowNodeHoweverLongSoItsOrderIsExact() {
        MergeQueue q = MergeQueue.exact(100);
        q.open("a", 0);
        q.open("slow", 0);
        q.offer("a", flow(5), 100, false);
        q.offer("a", flow(6), 100, false);
        assertNull(q.poll(100 + 10 * W), "slow may still send something older, whenever it answers");
        assertEquals(Long.MAX_VALUE, q.nextDeadline(100 + 10 * W), "no window to wake up for");
        q.offer("slow", flow(1), 100 + 10 * W, false);
        assertEquals(1, time(q.poll(100 + 10 * W)));
        assertNull(q.poll(100 + 10 * W));
        q.close("slow");
        assertEquals(5, time(q.poll(100 + 10 * W)));
        assertEquals(6, time(q.poll(100 + 10 * W)));
    }

    @Test
    void liveFlowsBeyondTheCapacityAreRefusedHistoryIsNot() {
        MergeQueue q = new MergeQueue(W, 2);
        q.open("a", 0);
        assertTrue(q.offer("a", flow(1), 0, true));
        assertTrue(q.offer("a", flow(2), 0, true));
        assertFalse(q.offer("a", flow(3), 0, true), "live: full, the caller counts the drop");
        assertTrue(q.offer("a", flow(3), 0, false), "history: held back by credit, never dropped");
        assertEquals(3, q.size());
    }

    @Test
    void aQuietNodeHoldsBackOnlyFlowsNewerThanTheGrace() {
        long grace = 100_000_000L;
        java.util.concurrent.atomic.AtomicLong wall = new java.util.concurrent.atomic.AtomicLong(1_000 * W);
        MergeQueue q = new MergeQueue(W, grace, wall::get, 100);
        q.open("a", 0);
        q.open("quiet", 0);
        long t = wall.get() - grace / 2;
        q.offer("a", flow(t), W, true);
        assertNull(q.poll(W), "quiet may still send something up to now - grace");
        assertEquals(W + grace / 2, q.nextDeadline(W), "wake up when the flow is the grace old, long before the window");
        wall.addAndGet(grace / 2 - 1);
        assertNull(q.poll(W + grace / 2 - 1));
        wall.addAndGet(1);
        assertEquals(t, time(q.poll(W + grace / 2)), "the grace old: quiet is taken to have nothing older");
    }

    @Test
    void aFlowOlderThanWhatTheGraceReleasedIsStillDeliveredOutOfOrder() {
        long grace = 100_000_000L;
        java.util.concurrent.atomic.AtomicLong wall = new java.util.concurrent.atomic.AtomicLong(1_000 * W);
        MergeQueue q = new MergeQueue(W, grace, wall::get, 100);
        q.open("a", 0);
        q.open("late", 0);
        long released = wall.get() - 2 * grace;
        q.offer("a", flow(released), W, true);
        assertEquals(released, time(q.poll(W)));
        q.offer("late", flow(released - grace), W + 1, true);
        assertEquals(released - grace, time(q.poll(W + 1)), "older than what went already: delivered, never dropped");
        q.offer("a", flow(wall.get()), W + 2, true);
        assertNull(q.poll(W + 2), "late has nothing pending again and the flow is newer than the grace");
    }

    @Test
    void aSourceJustOpenedIsWaitedForAsWithoutGrace() {
        long grace = 100_000_000L;
        java.util.concurrent.atomic.AtomicLong wall = new java.util.concurrent.atomic.AtomicLong(1_000 * W);
        MergeQueue q = new MergeQueue(W, grace, wall::get, 100);
        q.open("a", 0);
        q.open("starting", 0);
        long t = wall.get() - 5 * grace;
        q.offer("a", flow(t), W / 2, true);
        assertNull(q.poll(W / 2), "starting may still be sending what its collector held before: older than t");
        assertEquals(W, q.nextDeadline(W / 2));
        assertEquals(t, time(q.poll(W)), "open for the window: quiet now, half a window before the flow's own window");
    }
}
