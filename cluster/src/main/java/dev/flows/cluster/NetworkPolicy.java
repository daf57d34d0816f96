package dev.flows.cluster;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A networking.k8s.io/v1 NetworkPolicy, validated and with Kubernetes' defaults applied: a missing
 * policyTypes is Ingress, plus Egress when the policy has egress rules; a port without protocol is
 * TCP.
 *
 * @param podSelector the pods of {@code namespace} the policy applies to (empty: all of them)
 * @param ingress rules for traffic into the selected pods; only read when {@code policyTypes} has INGRESS
 * @param egress rules for traffic out of the selected pods; only read when {@code policyTypes} has EGRESS
 * @param audit evaluated and reported, never enforced ({@link #AUDIT_ANNOTATION} "true"): what it
 *     would deny is forwarded with verdict AUDIT
 */
public record NetworkPolicy(
        String namespace,
        String name,
        Selector podSelector,
        Set<Direction> policyTypes,
        List<Rule> ingress,
        List<Rule> egress,
        boolean audit) {
    /** The annotation that puts one policy in audit mode; its removal (or "false") enforces it. */
    public static final String AUDIT_ANNOTATION = "flows.dev/audit";

    /** A policy type, and the side of a connection a rule speaks about. */
    public enum Direction { INGRESS, EGRESS }

    /** The same policy in audit mode. */
    public NetworkPolicy audited() {
        return audit ? this : new NetworkPolicy(namespace, name, podSelector, policyTypes, ingress, egress, true);
    }

    public String fullName() {
        return namespace + "/" + name;
    }

    /** The rules of one direction, or none when the policy does not apply to that direction. */
    public List<Rule> rules(Direction d) {
        if (!policyTypes.contains(d)) {
            return List.of();
        }
        return d == Direction.INGRESS ? ingress : egress;
    }

    /**
     * One ingress or egress rule: traffic to/from any of {@code peers} (none: every peer) on any of
     * {@code ports} (none: every port and protocol).
     */
    public record Rule(List<Peer> peers, List<Port> ports) {}

    /**
     * One peer: pods (podSelector in the policy's namespace; with a namespaceSelector, in the
     * namespaces it selects; both must match when both are set), or addresses (ipBlock alone).
     * Absent selectors are null; an empty selector selects everything.
     */
    public record Peer(Selector podSelector, Selector namespaceSelector, IpBlock ipBlock) {}

    /** An IPv4 prefix less the prefixes in {@code except}, each inside {@code cidr}. */
    public record IpBlock(String cidr, List<String> except) {}

    /**
     * A port: a number (with {@code endPort}: the range port..endPort), a container port's name,
     * or neither (every port of the protocol).
     *
     * @param port 0 when absent or named
     * @param name the container port name, or null
     * @param endPort 0 when absent
     */
    public record Port(String protocol, int port, String name, int endPort) {
        public boolean anyPort() {
            return port == 0 && name == null;
        }
    }

    /**
     * A Kubernetes label selector: every matchLabels pair and every expression must hold. An empty
     * selector matches every label set.
     */
    public record Selector(Map<String, String> matchLabels, List<Expression> matchExpressions) {
        public static final Selector ALL = new Selector(Map.of(), List.of());

        public boolean matches(Map<String, String> labels) {
            for (Map.Entry<String, String> e : matchLabels.entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    return false;
                }
            }
            for (Expression x : matchExpressions) {
                if (!x.matches(labels)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** One matchExpressions entry. */
    public record Expression(String key, Operator operator, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (operator) {
                case In -> v != null && values.contains(v);
                case NotIn -> v == null || !values.contains(v);
                case Exists -> v != null;
                case DoesNotExist -> v == null;
            };
        }
    }

    /** The operators of a matchExpressions entry, spelled as in Kubernetes. */
    public enum Operator { In, NotIn, Exists, DoesNotExist }
}
