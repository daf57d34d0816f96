package dev.flows.collector.cluster;

import java.util.List;
import java.util.Map;

/**
 * A Pod as the cluster state knows it: where it runs, its address and what it is.
 *
 * @param workloads owners that Hubble calls workloads (e.g. Deployment "shop/frontend")
 * @param annotations kept for the lab, which reads its workload definitions from them
 * @param ports the containers' declared ports
 * @param ready false only when status.conditions says Ready is not True
 */
public record Pod(
        String namespace,
        String name,
        Map<String, String> labels,
        Map<String, String> annotations,
        String nodeName,
        String podIP,
        List<Workload> workloads,
        List<ContainerPort> ports,
        boolean ready) {

    /** An owner of the pod, e.g. kind Deployment, name frontend. */
    public record Workload(String kind, String name) {}

    /** A port a container of the pod declares; services may target it by name. */
    public record ContainerPort(String name, int port, String protocol) {}

    /** A ready pod without declared ports (what the enricher and the lab need). */
    public Pod(String namespace, String name, Map<String, String> labels, Map<String, String> annotations,
            String nodeName, String podIP, List<Workload> workloads) {
        this(namespace, name, labels, annotations, nodeName, podIP, workloads, List.of(), true);
    }

    public String fullName() {
        return namespace + "/" + name;
    }
}
