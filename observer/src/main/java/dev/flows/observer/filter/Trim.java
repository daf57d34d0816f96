package dev.flows.observer.filter;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Hubble's {@code number} and {@code first}, applied to responses in time order, so that they mean
 * the same wherever they are applied (a collector's buffer, a file of flows, the relay's merge of
 * every node): with {@code first}, the oldest N flows (then stop); without, the newest N (held
 * until the history is complete, then sent oldest first); 0 or beyond 2^63, everything as it comes.
 * Loss notices and other non-flow responses among the kept flows are kept with them.
 *
 * @param <T> a response: a flow, or something that travels among flows
 */
public final class Trim<T> {
    private final long limit;
    private final boolean first;
    private final Predicate<? super T> isFlow;
    private final Consumer<? super T> out;
    private final Deque<T> newest = new ArrayDeque<>();
    private long flows;

    public Trim(long number, boolean first, Predicate<? super T> isFlow, Consumer<? super T> out) {
        this.limit = limit(number);
        this.first = first;
        this.isFlow = isFlow;
        this.out = out;
    }

    /** How many flows {@code number} asks for: Long.MAX_VALUE for 0 or beyond a long (no limit). */
    public static long limit(long number) {
        return number <= 0 ? Long.MAX_VALUE : number;
    }

    /** Takes the next response; false once nothing more is wanted. */
    public boolean accept(T r) {
        boolean flow = isFlow.test(r);
        if (limit == Long.MAX_VALUE || first) {
            out.accept(r);
            if (flow) {
                flows++;
            }
            return flows < limit;
        }
        newest.addLast(r);
        if (flow && ++flows > limit) {
            // Drop the oldest flow and whatever came before it.
            T dropped;
            do {
                dropped = newest.removeFirst();
            } while (!isFlow.test(dropped));
            flows--;
        }
        return true;
    }

    /** The history is complete: sends what was held back. */
    public void finish() {
        newest.forEach(out);
        newest.clear();
    }
}
