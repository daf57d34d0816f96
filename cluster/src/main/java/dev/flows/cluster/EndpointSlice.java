package dev.flows.cluster;

import java.util.List;

/**
 * A Kubernetes EndpointSlice (discovery.k8s.io/v1): some ready or not-ready endpoints of one
 * service, and the ports they serve. When a service has slices, they, not its selector, say
 * where its traffic goes.
 *
 * @param serviceName the label kubernetes.io/service-name
 */
public record EndpointSlice(String namespace, String name, String serviceName, List<Endpoint> endpoints, List<Port> ports) {

    /** One endpoint: its addresses (IPv4) and whether it is ready (absent condition = ready). */
    public record Endpoint(List<String> addresses, boolean ready) {}

    /** A port of the slice; name matches the service port's name ("" for an unnamed one). */
    public record Port(String name, int port, String protocol) {}
}
