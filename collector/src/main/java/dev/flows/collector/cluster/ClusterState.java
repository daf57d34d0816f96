package dev.flows.collector.cluster;

import java.util.List;

/**
 * The desired state of the cluster, as read from Kubernetes YAML (or, later, the API server).
 * Immutable: a change produces a new state.
 */
public record ClusterState(
        List<Node> nodes, List<Namespace> namespaces, List<Pod> pods, List<Service> services,
        List<NetworkPolicy> policies) {

    public static final ClusterState EMPTY = new ClusterState(List.of(), List.of(), List.of(), List.of(), List.of());

    /** A state without network policies. */
    public ClusterState(List<Node> nodes, List<Namespace> namespaces, List<Pod> pods, List<Service> services) {
        this(nodes, namespaces, pods, services, List.of());
    }
}
