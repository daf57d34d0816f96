package dev.flows.collector.decode;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** Counts of records that failed to decode, per {@link DecodeError}; one writer, any reader. */
public final class DecodeErrors {
    private static final DecodeError[] KINDS = DecodeError.values();
    private final AtomicLongArray counts = new AtomicLongArray(KINDS.length);

    public void count(DecodeError error) {
        int i = error.ordinal();
        // Single writer: a plain read-increment-release is enough and avoids a locked add.
        counts.lazySet(i, counts.get(i) + 1);
    }

    public long get(DecodeError error) {
        return counts.get(error.ordinal());
    }

    public long total() {
        long sum = 0;
        for (int i = 0; i < KINDS.length; i++) {
            sum += counts.get(i);
        }
        return sum;
    }

    public Map<DecodeError, Long> snapshot() {
        Map<DecodeError, Long> m = new EnumMap<>(DecodeError.class);
        for (DecodeError e : KINDS) {
            m.put(e, get(e));
        }
        return m;
    }
}
