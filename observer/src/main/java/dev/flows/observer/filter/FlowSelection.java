package dev.flows.observer.filter;

import com.google.protobuf.util.Timestamps;
import dev.flows.observer.filter.FlowEntry;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.observer.GetFlowsRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.LongFunction;
import java.util.function.Predicate;

/**
 * Which entries of a history a GetFlowsRequest selects: since/until and the filters pick flows;
 * {@code number} bounds how many flows (0 or beyond a long: no limit); {@code first} takes the
 * oldest ones, otherwise the newest ones, always emitted oldest first. Loss notices inside the
 * time range travel with the flows they sit among.
 *
 * <p>Pure: the collector's GetFlows streams and the CLI's {@code --input-file} both select with
 * it, so a file of flows answers a request exactly as a server holding the same flows would.
 */
public final class FlowSelection {
    private final Predicate<Flow> filter;
    private final long since;
    private final long until;
    private final long limit;
    private final boolean first;

    private FlowSelection(Predicate<Flow> filter, long since, long until, long limit, boolean first) {
        this.filter = filter;
        this.since = since;
        this.until = until;
        this.limit = limit;
        this.first = first;
    }

    /** Compiles the request's filters; the message of the exception names the bad value. */
    public static FlowSelection of(GetFlowsRequest req) throws FilterException {
        Predicate<Flow> filter = FlowFilters.compile(req.getWhitelistList(), req.getBlacklistList());
        long n = req.getNumber();
        return new FlowSelection(filter,
                req.hasSince() ? Timestamps.toNanos(req.getSince()) : Long.MIN_VALUE,
                req.hasUntil() ? Timestamps.toNanos(req.getUntil()) : Long.MAX_VALUE,
                Trim.limit(n),
                req.getFirst());
    }

    /** How many flows at most (Long.MAX_VALUE: no limit). */
    public long limit() {
        return limit;
    }

    /** The until bound in ns (Long.MAX_VALUE when open). */
    public long until() {
        return until;
    }

    public boolean inTime(long timeNanos) {
        return timeNanos >= since && timeNanos <= until;
    }

    /** A flow inside the time range that passes the filters, or a loss notice inside the range. */
    public boolean selects(FlowEntry e) {
        return inTime(e.timeNanos()) && (!e.isFlow() || filter.test(e.flow()));
    }

    /**
     * The newest {@link #limit()} selected flows before {@code end}, walking back from it, with
     * the loss notices met on the way; oldest first. Stops at the first missing entry (a ring
     * overwrites oldest first, so everything older is gone too).
     */
    public Deque<FlowEntry> newest(long end, LongFunction<FlowEntry> get) {
        Deque<FlowEntry> picked = new ArrayDeque<>();
        long count = 0;
        for (long seq = end - 1; seq >= 0 && count < limit; seq--) {
            FlowEntry e = get.apply(seq);
            if (e == null) {
                break;
            }
            if (selects(e)) {
                picked.addFirst(e);
                if (e.isFlow()) {
                    count++;
                }
            }
        }
        return picked;
    }

    /** The oldest {@link #limit()} selected flows with the loss notices among them, oldest first. */
    public List<FlowEntry> oldest(List<FlowEntry> history) {
        List<FlowEntry> picked = new ArrayList<>();
        Trim<FlowEntry> trim = new Trim<>(limit, true, FlowEntry::isFlow, picked::add);
        for (int i = 0; i < history.size(); i++) {
            FlowEntry e = history.get(i);
            if (selects(e) && !trim.accept(e)) {
                break;
            }
        }
        return picked;
    }

    /** The whole answer over a finite history (oldest first), as a server holding it would send. */
    public List<FlowEntry> select(List<FlowEntry> history) {
        return first ? oldest(history) : new ArrayList<>(newest(history.size(), i -> history.get((int) i)));
    }
}
