package dev.flows.cli.top;

import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The numbers behind {@code flows top}, without any terminal: flows counted per {@link PairKey},
 * once in the flows view and, when DROPPED, again in the drops view; rates over a sliding window.
 *
 * <p>Thread-safe: the gRPC stream records while the screen reads. Times are passed in (the
 * arrival time, not the flow's own time) so tests need no clock and so skew between nodes cannot
 * push flows out of the window.
 */
public final class TopTable {
    /** Rows kept per view; beyond it the least recently seen go, so a scan cannot exhaust memory. */
    static final int MAX_PAIRS = 10_000;

    private final long windowMillis;
    private final long bucketMillis;
    private final int buckets;
    private final long startMillis;
    private final Map<View, Map<PairKey, Entry>> views = Map.of(View.FLOWS, new HashMap<>(), View.DROPS, new HashMap<>());
    private final Map<View, Window> overall = new HashMap<>();
    private final Map<View, long[]> overallTotal = Map.of(View.FLOWS, new long[1], View.DROPS, new long[1]);

    private static final class Entry {
        final Window window;
        long total;
        long lastSeen;
        String last;

        Entry(Window window) {
            this.window = window;
        }
    }

    /**
     * @param windowMillis the sliding window rates are computed over
     * @param startMillis when counting started: in the first seconds rates divide by the time
     *     elapsed, not by the whole window, so they are right from the start
     */
    public TopTable(long windowMillis, long startMillis) {
        if (windowMillis < 100) {
            throw new IllegalArgumentException("window below 100 ms: " + windowMillis);
        }
        this.windowMillis = windowMillis;
        // About 100 buckets per window, none under 100 ms: fine-grained enough that the window
        // slides smoothly at a 1 s refresh, coarse enough to cost little per row.
        this.bucketMillis = Math.max(100, windowMillis / 100);
        this.buckets = (int) Math.max(1, windowMillis / bucketMillis);
        this.startMillis = startMillis;
        for (View v : View.values()) {
            overall.put(v, newWindow());
        }
    }

    /** Counts one flow that arrived at {@code nowMillis}. */
    public synchronized void record(Flow f, long nowMillis) {
        PairKey key = PairKey.of(f);
        count(View.FLOWS, key, f.getVerdict().name(), nowMillis);
        if (f.getVerdict() == Verdict.DROPPED) {
            count(View.DROPS, key, reason(f), nowMillis);
        }
    }

    /** The rows of a view, ordered; at most {@code limit}. */
    public synchronized List<Row> rows(View view, Sort sort, long nowMillis, int limit) {
        double seconds = elapsedSeconds(nowMillis);
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<PairKey, Entry> e : views.get(view).entrySet()) {
            Entry en = e.getValue();
            rows.add(new Row(e.getKey(), en.window.sum(nowMillis) / seconds, en.total, en.last));
        }
        rows.sort(sort.comparator());
        return rows.size() > limit ? List.copyOf(rows.subList(0, limit)) : rows;
    }

    /** Flows/s of the whole view over the window. */
    public synchronized double rate(View view, long nowMillis) {
        return overall.get(view).sum(nowMillis) / elapsedSeconds(nowMillis);
    }

    /** Flows counted in a view since start. */
    public synchronized long total(View view) {
        return overallTotal.get(view)[0];
    }

    /** Rows in a view. */
    public synchronized int pairs(View view) {
        return views.get(view).size();
    }

    public long windowMillis() {
        return windowMillis;
    }

    private void count(View view, PairKey key, String last, long nowMillis) {
        Map<PairKey, Entry> rows = views.get(view);
        Entry e = rows.computeIfAbsent(key, k -> new Entry(newWindow()));
        e.window.add(nowMillis);
        e.total++;
        e.lastSeen = nowMillis;
        e.last = last;
        overall.get(view).add(nowMillis);
        overallTotal.get(view)[0]++;
        if (rows.size() > MAX_PAIRS) {
            evict(rows);
        }
    }

    // Drops a tenth at once so that a flood of new pairs costs one sort per thousand flows, not one per flow.
    private static void evict(Map<PairKey, Entry> rows) {
        rows.entrySet().stream().sorted(Comparator.comparingLong(e -> e.getValue().lastSeen))
                .limit(MAX_PAIRS / 10).map(Map.Entry::getKey).toList().forEach(rows::remove);
    }

    private Window newWindow() {
        return new Window(bucketMillis, buckets);
    }

    private double elapsedSeconds(long nowMillis) {
        long span = Math.min(windowMillis, Math.max(bucketMillis, nowMillis - startMillis));
        return span / 1000.0;
    }

    /** Drop reason text: the enum name of drop_reason_desc, else the legacy numeric code. */
    static String reason(Flow f) {
        if (f.getDropReasonDesc() != DropReason.DROP_REASON_UNKNOWN && f.getDropReasonDesc() != DropReason.UNRECOGNIZED) {
            return f.getDropReasonDesc().name();
        }
        int code = f.getDropReason() != 0 ? f.getDropReason() : f.getEventType().getType() == 1 ? f.getEventType().getSubType() : 0;
        DropReason r = DropReason.forNumber(code);
        return r != null && r != DropReason.DROP_REASON_UNKNOWN ? r.name() : code == 0 ? "unknown" : Integer.toString(code);
    }
}
