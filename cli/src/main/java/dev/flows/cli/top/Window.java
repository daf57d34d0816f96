package dev.flows.cli.top;

/**
 * Counts of one row in time buckets covering the sliding window, kept as a ring: a bucket is
 * reused once its time has left the window, so memory per row is fixed however long top runs.
 */
final class Window {
    private final long bucketMillis;
    private final long[] counts;
    private final long[] bucketOf; // which bucket number each slot holds; stale slots count for nothing

    Window(long bucketMillis, int buckets) {
        this.bucketMillis = bucketMillis;
        this.counts = new long[buckets];
        this.bucketOf = new long[buckets];
        java.util.Arrays.fill(bucketOf, Long.MIN_VALUE);
    }

    void add(long nowMillis) {
        long b = Math.floorDiv(nowMillis, bucketMillis);
        int slot = (int) Math.floorMod(b, (long) counts.length);
        if (bucketOf[slot] != b) {
            bucketOf[slot] = b;
            counts[slot] = 0;
        }
        counts[slot]++;
    }

    /** Flows in the buckets that lie within the window ending now. */
    long sum(long nowMillis) {
        long newest = Math.floorDiv(nowMillis, bucketMillis);
        long oldest = newest - counts.length + 1;
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (bucketOf[i] >= oldest && bucketOf[i] <= newest) {
                sum += counts[i];
            }
        }
        return sum;
    }
}
