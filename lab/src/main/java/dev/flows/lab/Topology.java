package dev.flows.lab;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Node;
import dev.flows.cluster.Pod;
import java.util.HashMap;
import java.util.Map;

/**
 * The addressing a lab needs, checked before anything is built: the shared /24 segment of the
 * node IPs, the root namespace's address on it (.254), and that every pod sits in its node's
 * podCIDR.
 */
record Topology(String segment, int prefixLength, String rootIP) {

    static Topology of(ClusterState c) {
        if (c.nodes().isEmpty()) {
            throw new LabException("the cluster has no Node; the lab needs at least one");
        }
        String first = c.nodes().get(0).internalIP();
        String base = first.substring(0, first.lastIndexOf('.'));
        String segment = base + ".0/24";
        String rootIP = base + ".254";
        Map<String, Node> nodes = new HashMap<>();
        for (Node n : c.nodes()) {
            if (!WorkloadSpec.inCidr(n.internalIP(), segment) || n.internalIP().equals(rootIP) || n.internalIP().endsWith(".0")
                    || n.internalIP().endsWith(".255")) {
                throw new LabException("Node " + n.name() + ": InternalIP " + n.internalIP() + " is not a host of the shared segment "
                        + segment + "; expected .1-.253 in it (.254 is the root namespace)");
            }
            if (n.podCIDR().isEmpty()) {
                throw new LabException("Node " + n.name() + " has no spec.podCIDR; the lab routes pods by it (e.g. 10.244.1.0/24)");
            }
            nodes.put(n.name(), n);
        }
        for (Pod p : c.pods()) {
            Node n = nodes.get(p.nodeName());
            if (n == null || p.podIP().isEmpty()) {
                throw new LabException("Pod " + p.fullName() + " needs spec.nodeName and status.podIP to be placed in the lab");
            }
            if (!WorkloadSpec.inCidr(p.podIP(), n.podCIDR())) {
                throw new LabException("Pod " + p.fullName() + ": podIP " + p.podIP() + " is outside the podCIDR "
                        + n.podCIDR() + " of its node " + n.name());
            }
        }
        return new Topology(segment, 24, rootIP);
    }
}
