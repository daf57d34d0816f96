package dev.flows.collector.buffer;

import dev.flows.observer.filter.FlowEntry;

import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.LostEvent;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A bounded ring of the most recent flows and loss notices: one writer, any number of readers
 * that follow it without ever slowing it down.
 *
 * <p>Each slot holds an immutable {@link FlowEntry} stamped with its sequence number. A reader that
 * finds a slot holding a newer sequence than the one it asked for has been lapped by the writer:
 * it learns how many entries it missed (see {@link Reader#next()}) instead of reading garbage.
 * Readers wait for new entries by parking; the writer only unparks threads that registered as
 * waiting, so it never takes a lock.
 */
public final class FlowBuffer {
    public static final int DEFAULT_CAPACITY = 65535;

    private final int capacity;
    private final int mask;
    private final AtomicReferenceArray<FlowEntry> slots;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong seenFlows = new AtomicLong();
    private final Set<Thread> waiters = ConcurrentHashMap.newKeySet();

    /** @param capacity 2^n - 1 entries, between 1 and 2^30 - 1 */
    public FlowBuffer(int capacity) {
        if (capacity < 1 || capacity > (1 << 30) - 1 || Integer.bitCount(capacity + 1) != 1) {
            throw new IllegalArgumentException("flow buffer capacity must be 2^n-1 (e.g. 4095, 65535), got " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity; // capacity + 1 slots: one spare slot is the one being overwritten
        this.slots = new AtomicReferenceArray<>(capacity + 1);
    }

    /** Appends a flow; its time orders it for since/until. Writer thread only. */
    public void append(Flow flow) {
        long t = flow.getTime().getSeconds() * 1_000_000_000L + flow.getTime().getNanos();
        publish(new FlowEntry(written.get(), t, flow, null));
        seenFlows.lazySet(seenFlows.get() + 1);
    }

    /** Appends a notice that events were lost before reaching the buffer. Writer thread only. */
    public void appendLost(LostEvent lost, long timeNanos) {
        publish(new FlowEntry(written.get(), timeNanos, null, lost));
    }

    private void publish(FlowEntry e) {
        slots.lazySet((int) (e.seq() & mask), e);
        written.set(e.seq() + 1);
        if (!waiters.isEmpty()) {
            for (Thread t : waiters) {
                LockSupport.unpark(t);
            }
        }
    }

    public int capacity() {
        return capacity;
    }

    /** Entries currently held (flows and notices). */
    public int size() {
        return (int) Math.min(written.get(), capacity);
    }

    /** Flows appended since creation (Hubble's seen_flows). */
    public long seenFlows() {
        return seenFlows.get();
    }

    /** Sequence number the next entry will get. */
    public long nextSeq() {
        return written.get();
    }

    /** Oldest sequence number still held. */
    public long oldestSeq() {
        return Math.max(0, written.get() - capacity);
    }

    /** The entry with this sequence number, or null when it is not written yet or overwritten. */
    public FlowEntry get(long seq) {
        long w = written.get();
        if (seq < 0 || seq >= w || seq < w - capacity) {
            return null;
        }
        FlowEntry e = slots.get((int) (seq & mask));
        return e != null && e.seq() == seq ? e : null;
    }

    /** A reader positioned at {@code seq} (clamped to what the buffer can still deliver later). */
    public Reader reader(long seq) {
        return new Reader(Math.max(0, seq));
    }

    /**
     * Waits until an entry with sequence {@code >= seq} exists or the timeout passes.
     *
     * @return true if such an entry exists
     */
    public boolean awaitSeq(long seq, long timeoutNanos) throws InterruptedException {
        if (written.get() > seq) {
            return true;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        Thread me = Thread.currentThread();
        waiters.add(me);
        try {
            while (written.get() <= seq) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            return true;
        } finally {
            waiters.remove(me);
        }
    }

    /** What {@link Reader#next()} returns. */
    public sealed interface Read permits Read.Ok, Read.Lost, Read.None {
        /** The next entry. */
        record Ok(FlowEntry entry) implements Read {}

        /** The writer overwrote {@code count} entries before the reader got to them. */
        record Lost(long count) implements Read {}

        /** Nothing new yet. */
        record None() implements Read {}

        None NONE = new None();
    }

    /** A cursor that follows the writer; one thread uses it. */
    public final class Reader {
        private long seq;

        private Reader(long seq) {
            this.seq = seq;
        }

        /** The sequence of the next entry this reader will return. */
        public long position() {
            return seq;
        }

        public Read next() {
            long w = written.get();
            if (seq >= w) {
                return Read.NONE;
            }
            FlowEntry e = slots.get((int) (seq & mask));
            if (e != null && e.seq() == seq) {
                seq++;
                return new Read.Ok(e);
            }
            // Lapped: skip to the oldest entry still held and report the gap.
            long oldest = Math.max(seq + 1, written.get() - capacity);
            long lost = oldest - seq;
            seq = oldest;
            return new Read.Lost(lost);
        }

        /** Waits until {@link #next()} may have something, or the timeout passes. */
        public boolean await(long timeoutNanos) throws InterruptedException {
            return awaitSeq(seq, timeoutNanos);
        }
    }
}
