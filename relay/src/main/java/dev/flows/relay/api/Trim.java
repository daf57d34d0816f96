package dev.flows.relay.api;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * {@code number} applied to the merged history, so that it means the same for the whole cluster
 * as for one node: with {@code first}, the oldest N flows (then stop); without, the newest N
 * (held until the history is complete, then sent oldest first); 0 or beyond 2^63, everything as
 * it comes. Loss notices among the kept flows are kept with them.
 */
final class Trim {
    private final long limit;
    private final boolean first;
    private final Consumer<RawResponse> out;
    private final Deque<RawResponse> newest = new ArrayDeque<>();
    private long flows;

    Trim(long number, boolean first, Consumer<RawResponse> out) {
        this.limit = number <= 0 ? Long.MAX_VALUE : number;
        this.first = first;
        this.out = out;
    }

    /** Takes the next merged response; false once nothing more is wanted. */
    boolean accept(RawResponse r) {
        if (limit == Long.MAX_VALUE || first) {
            out.accept(r);
            if (r.isFlow()) {
                flows++;
            }
            return flows < limit;
        }
        newest.addLast(r);
        if (r.isFlow() && ++flows > limit) {
            // Drop the oldest flow and whatever came before it.
            RawResponse dropped;
            do {
                dropped = newest.removeFirst();
            } while (!dropped.isFlow());
            flows--;
        }
        return true;
    }

    /** The history is complete: sends what was held back. */
    void finish() {
        newest.forEach(out);
        newest.clear();
    }
}
