package dev.flows.collector.policy;

/**
 * Where {@link PolicyProgrammer} writes: the pinned maps ({@link PolicyMaps}) in the collector,
 * a copy in memory where no kernel map can hold the cluster (the cluster-state bench).
 */
public interface PolicySink {
    /** Writes one change, in the order {@link PolicyDelta} documents. */
    void write(PolicyDelta d);

    /**
     * Makes the sink hold exactly {@code state}.
     *
     * @return how many stale entries were deleted
     */
    int reconcile(PolicyState state);
}
