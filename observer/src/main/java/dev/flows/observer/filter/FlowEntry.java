package dev.flows.observer.filter;

import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.LostEvent;

/**
 * One entry of the {@link FlowBuffer}: a flow or a notice that events were lost, with its
 * position in the buffer's history and its wall time in ns.
 *
 * @param seq position since the buffer was created (0 = first entry ever written)
 */
public record FlowEntry(long seq, long timeNanos, Flow flow, LostEvent lost) {
    public boolean isFlow() {
        return flow != null;
    }
}
