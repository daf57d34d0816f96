package dev.flows.cli.policy;

import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * One NetworkPolicy for one workload: its pods by their stable labels, and a rule for each peer it
 * was seen to talk to, in each direction (no rule: nothing was seen, so nothing is allowed).
 */
record GeneratedPolicy(Party.Workload workload, Map<String, String> selector, List<Rule> ingress, List<Rule> egress) {
    /** The name it is written under: one per workload, recognisably ours. */
    String name() {
        return "flows-generated-" + workload.name();
    }

    /**
     * Peers and the ports (empty: every protocol, for ICMP) they were seen on, with why: how many
     * connections, between whom.
     */
    record Rule(List<Peer> peers, SortedSet<PortKey> ports, String why) {}

    /** A peer: a workload's pods (by namespace and stable labels) or an address block. */
    record Peer(Party.Workload workload, Map<String, String> selector, String cidr) {
        static Peer of(Party.Workload w, Map<String, String> selector) {
            return new Peer(w, selector, null);
        }

        static Peer block(String cidr) {
            return new Peer(null, Map.of(), cidr);
        }
    }
}
