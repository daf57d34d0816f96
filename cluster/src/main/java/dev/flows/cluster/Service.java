package dev.flows.cluster;

import java.util.List;
import java.util.Map;

/** A Kubernetes Service: its virtual IP, ports and the pods it selects. */
public record Service(
        String namespace,
        String name,
        String type,
        String clusterIP,
        Map<String, String> selector,
        List<Port> ports) {

    /**
     * One port of the service.
     *
     * @param targetPort a number or the name of a container port, as in Kubernetes
     * @param nodePort 0 unless the service is a NodePort
     */
    public record Port(String name, String protocol, int port, String targetPort, int nodePort) {}
}
