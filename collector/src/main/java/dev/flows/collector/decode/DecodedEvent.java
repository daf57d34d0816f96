package dev.flows.collector.decode;

import dev.flows.proto.flow.Flow;

/**
 * What the decoder makes of one event: the flow as the event describes it, and the two things
 * the event says that a {@link Flow} has no field for, the service frontend id and the policy
 * decision. The enrich stage turns those into names (from the tables that programmed them) and
 * appends the flow; nothing after it sees this type.
 *
 * <p>Mutable and reused, like the builder it wraps: one instance per processing thread, cleared
 * by each decode.
 */
public final class DecodedEvent {
    /** The id of no frontend and of no policy: the datapath numbers both from 1. */
    public static final int NO_ID = 0;

    /** What a policy verdict or policy drop decided, and in which direction. */
    public enum PolicyDecision {
        /** Not a policy event. */
        NONE,
        INGRESS_ALLOWED,
        EGRESS_ALLOWED,
        INGRESS_DENIED,
        EGRESS_DENIED;

        public boolean egress() {
            return this == EGRESS_ALLOWED || this == EGRESS_DENIED;
        }

        public boolean allowed() {
            return this == INGRESS_ALLOWED || this == EGRESS_ALLOWED;
        }

        static PolicyDecision of(boolean egress, boolean allowed) {
            return egress ? (allowed ? EGRESS_ALLOWED : EGRESS_DENIED) : (allowed ? INGRESS_ALLOWED : INGRESS_DENIED);
        }
    }

    private final Flow.Builder flow;
    private int serviceId;
    private PolicyDecision policy = PolicyDecision.NONE;
    private int policyId;

    public DecodedEvent() {
        this(Flow.newBuilder());
    }

    /** Wraps {@code flow}, with no ids: for tests and tools that make up an event. */
    public DecodedEvent(Flow.Builder flow) {
        this.flow = flow;
    }

    public Flow.Builder flow() {
        return flow;
    }

    /** The frontend the datapath wrote into the event (its rev-NAT index), or {@link #NO_ID}. */
    public int serviceId() {
        return serviceId;
    }

    public PolicyDecision policy() {
        return policy;
    }

    /** The policy whose map entry allowed the connection, or {@link #NO_ID}: a denial matched none. */
    public int policyId() {
        return policyId;
    }

    public DecodedEvent serviceId(int id) {
        this.serviceId = id;
        return this;
    }

    public DecodedEvent policy(PolicyDecision decision, int id) {
        this.policy = decision;
        this.policyId = id;
        return this;
    }

    /** Clears the flow and the ids, for the next event. */
    DecodedEvent clear() {
        flow.clear();
        serviceId = NO_ID;
        policy = PolicyDecision.NONE;
        policyId = NO_ID;
        return this;
    }
}
