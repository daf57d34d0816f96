package dev.flows.collector.buffer;

import dev.flows.observer.filter.FlowEntry;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.Timestamp;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.LostEvent;
import dev.flows.proto.flow.LostEventSource;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class FlowBufferTest {
    static Flow flow(long i) {
        return Flow.newBuilder().setNodeName("n" + i).setTime(Timestamp.newBuilder().setSeconds(i)).build();
    }

    static long id(FlowEntry e) {
        return Long.parseLong(e.flow().getNodeName().substring(1));
    }

    @Test
    void capacityMustBePowerOfTwoMinusOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FlowBuffer(1000));
        assertEquals("flow buffer capacity must be 2^n-1 (e.g. 4095, 65535), got 1000", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FlowBuffer(0));
        assertThrows(IllegalArgumentException.class, () -> new FlowBuffer(65536));
        assertEquals(65535, new FlowBuffer(FlowBuffer.DEFAULT_CAPACITY).capacity());
    }

    @Test
    void wrapAroundKeepsNewestCapacityEntries() {
        FlowBuffer b = new FlowBuffer(7);
        for (int i = 0; i < 20; i++) {
            b.append(flow(i));
        }
        assertEquals(7, b.size());
        assertEquals(20, b.seenFlows());
        assertEquals(13, b.oldestSeq());
        assertNull(b.get(12), "overwritten");
        for (long s = 13; s < 20; s++) {
            assertEquals(s, id(b.get(s)));
        }
        assertNull(b.get(20), "not written yet");
    }

    @Test
    void laggingReaderLearnsHowManyItLost() {
        FlowBuffer b = new FlowBuffer(7);
        FlowBuffer.Reader r = b.reader(0);
        for (int i = 0; i < 3; i++) {
            b.append(flow(i));
        }
        assertEquals(0, id(((FlowBuffer.Read.Ok) r.next()).entry()));
        for (int i = 3; i < 20; i++) {
            b.append(flow(i));
        }
        FlowBuffer.Read read = r.next();
        assertEquals(new FlowBuffer.Read.Lost(12), read, "entries 1..12 were overwritten");
        for (long s = 13; s < 20; s++) {
            assertEquals(s, id(((FlowBuffer.Read.Ok) r.next()).entry()));
        }
        assertSame(FlowBuffer.Read.NONE, r.next());
    }

    @Test
    void lostNoticesAreEntriesButNotSeenFlows() {
        FlowBuffer b = new FlowBuffer(7);
        b.append(flow(1));
        b.appendLost(LostEvent.newBuilder().setSource(LostEventSource.PERF_EVENT_RING_BUFFER).setNumEventsLost(5).build(), 42);
        assertEquals(2, b.size());
        assertEquals(1, b.seenFlows());
        FlowEntry e = b.get(1);
        assertFalse(e.isFlow());
        assertEquals(5, e.lost().getNumEventsLost());
        assertEquals(42, e.timeNanos());
    }

    @Test
    void concurrentReaderEitherSeesEveryEntryInOrderOrCountsTheGap() throws Exception {
        FlowBuffer b = new FlowBuffer(63);
        int n = 200_000;
        AtomicLong delivered = new AtomicLong();
        AtomicLong lost = new AtomicLong();
        AtomicReference<String> problem = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            FlowBuffer.Reader r = b.reader(0);
            long expect = 0;
            try {
                while (expect < n) {
                    FlowBuffer.Read read = r.next();
                    if (read instanceof FlowBuffer.Read.Ok ok) {
                        if (id(ok.entry()) != expect) {
                            problem.set("expected " + expect + " got " + id(ok.entry()));
                            return;
                        }
                        expect++;
                        delivered.incrementAndGet();
                        if (expect % 1000 == 0) {
                            Thread.sleep(1); // fall behind on purpose
                        }
                    } else if (read instanceof FlowBuffer.Read.Lost l) {
                        expect += l.count();
                        lost.addAndGet(l.count());
                    } else {
                        r.await(TimeUnit.MILLISECONDS.toNanos(50));
                    }
                }
            } catch (InterruptedException e) {
                problem.set("interrupted");
            }
        });
        reader.start();
        for (int i = 0; i < n; i++) {
            b.append(flow(i));
        }
        reader.join(30_000);
        assertNull(problem.get());
        assertEquals(n, delivered.get() + lost.get(), "every entry is delivered or counted as lost");
        assertTrue(lost.get() > 0, "a reader that sleeps must have been overrun");
    }

    @Test
    void manyFollowersGetEveryEntryInOrderWithoutSlowingTheWriter() throws Exception {
        FlowBuffer b = new FlowBuffer(65535);
        int n = 50_000;
        int readers = 3;
        AtomicLong ok = new AtomicLong();
        Thread[] ts = new Thread[readers];
        for (int k = 0; k < readers; k++) {
            ts[k] = new Thread(() -> {
                FlowBuffer.Reader r = b.reader(0);
                long expect = 0;
                try {
                    while (expect < n) {
                        FlowBuffer.Read read = r.next();
                        if (read instanceof FlowBuffer.Read.Ok e) {
                            if (id(e.entry()) != expect++) {
                                return;
                            }
                        } else if (read instanceof FlowBuffer.Read.Lost) {
                            return; // the buffer holds all n: a loss here is a bug
                        } else {
                            r.await(TimeUnit.MILLISECONDS.toNanos(100));
                        }
                    }
                    ok.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            ts[k].start();
        }
        for (int i = 0; i < n; i++) {
            b.append(flow(i));
        }
        for (Thread t : ts) {
            t.join(30_000);
        }
        assertEquals(readers, ok.get(), "every follower saw all entries in order, none lost");
    }

    @Test
    void followerWakesUpPromptlyOnNewEntry() throws Exception {
        FlowBuffer b = new FlowBuffer(7);
        FlowBuffer.Reader r = b.reader(b.nextSeq());
        CountDownLatch parked = new CountDownLatch(1);
        AtomicLong wokeAfterNanos = new AtomicLong(-1);
        Thread t = new Thread(() -> {
            try {
                parked.countDown();
                long start = System.nanoTime();
                boolean got = r.await(TimeUnit.SECONDS.toNanos(10));
                if (got) {
                    wokeAfterNanos.set(System.nanoTime() - start);
                }
            } catch (InterruptedException ignored) {
                // the assertion below reports it
            }
        });
        t.start();
        parked.await();
        Thread.sleep(50);
        b.append(flow(1));
        t.join(5000);
        assertTrue(wokeAfterNanos.get() >= 0, "reader did not wake");
        assertTrue(wokeAfterNanos.get() < TimeUnit.SECONDS.toNanos(1), "woke after " + wokeAfterNanos.get() + " ns");
        assertEquals(1, id(((FlowBuffer.Read.Ok) r.next()).entry()));
    }

    @Test
    void awaitTimesOutWithoutEntries() throws Exception {
        FlowBuffer b = new FlowBuffer(7);
        long start = System.nanoTime();
        assertFalse(b.reader(0).await(TimeUnit.MILLISECONDS.toNanos(50)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(45));
    }
}
