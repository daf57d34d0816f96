package dev.flows.collector.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * An {@link EventSource} fed with raw event bytes by the test, standing in for the kernel ring.
 *
 * <p>Records are handed over from inside one larger buffer at non-zero offsets, as the real ring
 * does, and the buffer is scribbled over after each record so a handler that keeps a reference
 * instead of copying fails. Fails loudly on use after close.
 */
public final class FakeEventSource implements EventSource {
    private final Deque<byte[]> pending = new ArrayDeque<>();
    private long kernelLost;
    private boolean closed;

    /** Queues one record as the kernel would write it. */
    public synchronized FakeEventSource add(byte[] record) {
        check();
        pending.add(record.clone());
        notifyAll();
        return this;
    }

    /** Pretends the kernel ring dropped {@code n} more events. */
    public synchronized void loseInKernel(long n) {
        check();
        kernelLost += n;
        notifyAll();
    }

    public synchronized int pending() {
        return pending.size();
    }

    @Override
    public int drain(RecordHandler handler) {
        byte[][] batch;
        synchronized (this) {
            check();
            batch = pending.toArray(new byte[0][]);
            pending.clear();
        }
        for (byte[] r : batch) {
            ByteBuffer ring = ByteBuffer.allocate(r.length + 24).order(ByteOrder.nativeOrder());
            ring.put(16, r);
            handler.onRecord(ring, 16, r.length);
            for (int i = 0; i < ring.capacity(); i++) {
                ring.put(i, (byte) 0xA5);
            }
        }
        return batch.length;
    }

    @Override
    public synchronized void awaitData(long timeoutMillis) throws InterruptedException {
        check();
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("awaitData timeout must be >= 0, got " + timeoutMillis);
        }
        if (pending.isEmpty()) {
            TimeUnit.MILLISECONDS.timedWait(this, Math.max(1, timeoutMillis));
        }
    }

    /** As the kernel ring counts them: an 8-byte header per record, each rounded up to 8 bytes. */
    @Override
    public synchronized long pendingBytes() {
        check();
        long bytes = 0;
        for (byte[] r : pending) {
            bytes += 8 + ((r.length + 7) & ~7);
        }
        return bytes;
    }

    @Override
    public synchronized long kernelLost() {
        check();
        return kernelLost;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            throw new IllegalStateException("FakeEventSource closed twice");
        }
        closed = true;
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("FakeEventSource used after close");
        }
    }
}
