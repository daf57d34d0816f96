package dev.flows.bench;

import dev.flows.collector.bpf.RecordHandler;
import java.nio.ByteBuffer;

/**
 * The cheapest handler: counts records and remembers the last length. Every bench drain that
 * does not copy uses this one class, so the reader's call to the handler stays monomorphic, as it
 * is in the collector with its single handler; a second or third handler type there would make
 * the JIT call it virtually and the reader's figure would measure that instead.
 */
final class CountingHandler implements RecordHandler {
    long count;
    int lastLength;

    @Override
    public void onRecord(ByteBuffer buf, int offset, int length) {
        count++;
        lastLength = length;
    }
}
