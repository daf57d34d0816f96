package dev.flows.collector.policy;

/** How each direction of a local pod is decided: a value of the endpoints map (struct endpoint_value). */
public record EndpointPolicy(Mode ingress, Mode egress) {
    /** FLOWS_POLICY_MODE_* in policy_maps.h: the ordinal is the byte written. */
    public enum Mode {
        /** No policy selects the pod for the direction: everything passes, nothing is decided. */
        OFF,
        /** Some enforced policy selects it: what no entry allows is dropped. */
        ENFORCE,
        /** Only audit-mode policies select it: what no entry allows is forwarded as AUDIT. */
        AUDIT
    }

    public static final EndpointPolicy NONE = new EndpointPolicy(Mode.OFF, Mode.OFF);

    /** The mode of {@link PolicyKey#INGRESS} or {@link PolicyKey#EGRESS}. */
    public Mode of(int direction) {
        return direction == PolicyKey.INGRESS ? ingress : egress;
    }
}
