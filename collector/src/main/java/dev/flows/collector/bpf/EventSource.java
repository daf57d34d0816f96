package dev.flows.collector.bpf;

/**
 * Where raw events come from: the kernel's ring buffer in production, a fake in tests.
 * One thread drains it.
 */
public interface EventSource extends AutoCloseable {
    /** Hands every record available now to the handler, in order; never blocks. Returns the count. */
    int drain(RecordHandler handler);

    /** Waits until data may be available or the timeout passes. */
    void awaitData(long timeoutMillis) throws InterruptedException;

    /** Events the kernel could not write (ring full) since the source was opened; monotonic. */
    long kernelLost();

    /** Bytes written (or reserved) by the kernel and not consumed yet: how full the ring is. */
    long pendingBytes();

    @Override
    void close();
}
