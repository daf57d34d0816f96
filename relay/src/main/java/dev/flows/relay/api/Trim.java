package dev.flows.relay.api;

import dev.flows.proto.observer.GetFlowsResponse;
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
    private final Consumer<GetFlowsResponse> out;
    private final Deque<GetFlowsResponse> newest = new ArrayDeque<>();
    private long flows;

    Trim(long number, boolean first, Consumer<GetFlowsResponse> out) {
        this.limit = number <= 0 ? Long.MAX_VALUE : number;
        this.first = first;
        this.out = out;
    }

    /** Takes the next merged response; false once nothing more is wanted. */
    boolean accept(GetFlowsResponse r) {
        if (limit == Long.MAX_VALUE || first) {
            out.accept(r);
            if (r.hasFlow()) {
                flows++;
            }
            return flows < limit;
        }
        newest.addLast(r);
        if (r.hasFlow() && ++flows > limit) {
            // Drop the oldest flow and whatever came before it.
            GetFlowsResponse dropped;
            do {
                dropped = newest.removeFirst();
            } while (!dropped.hasFlow());
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
