package dev.flows.cli.policy;

/** One side of an observed connection, as a NetworkPolicy can name it. */
sealed interface Party {
    /** A workload's pods: its controller's name (a bare pod's own name) in its namespace. */
    record Workload(String namespace, String name) implements Party {
        @Override
        public String toString() {
            return namespace + "/" + name;
        }
    }

    /** An address outside the cluster. NetworkPolicy names it by an ipBlock. */
    record World(String ip) implements Party {
        @Override
        public String toString() {
            return "world " + ip;
        }
    }

    /**
     * A node's address: the observing node's own ({@code local}) or another's. Neither gets a rule:
     * the datapath always allows the local node (kubelet probes) and matches other nodes by identity,
     * which no NetworkPolicy ipBlock names.
     */
    record Node(String ip, boolean local) implements Party {
        @Override
        public String toString() {
            return (local ? "this node " : "node ") + ip;
        }
    }
}
