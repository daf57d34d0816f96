package dev.flows.cluster;

import java.util.List;

/**
 * The desired state of the cluster, as read from Kubernetes YAML (or, later, the API server).
 * Immutable: a change produces a new state.
 *
 * @param endpointSlices when a service has any, they (not its selector) give its endpoints
 */
public record ClusterState(
        List<Node> nodes, List<Namespace> namespaces, List<Pod> pods, List<Service> services,
        List<NetworkPolicy> policies, List<EndpointSlice> endpointSlices) {

    public static final ClusterState EMPTY = new ClusterState(List.of(), List.of(), List.of(), List.of());

    /** A state without network policies and EndpointSlices. */
    public ClusterState(List<Node> nodes, List<Namespace> namespaces, List<Pod> pods, List<Service> services) {
        this(nodes, namespaces, pods, services, List.of(), List.of());
    }

    /** A state without EndpointSlices: services find their endpoints through their selectors. */
    public ClusterState(List<Node> nodes, List<Namespace> namespaces, List<Pod> pods, List<Service> services,
            List<NetworkPolicy> policies) {
        this(nodes, namespaces, pods, services, policies, List.of());
    }
}
