package dev.flows.cluster;

import java.util.List;
import java.util.Map;

/**
 * A Pod as the cluster state knows it: where it runs, its address and what it is.
 *
 * @param workloads owners that Hubble calls workloads (e.g. Deployment "shop/frontend")
 * @param annotations kept for the lab, which reads its workload definitions from them
 * @param ports the containers' ports; named ones are what named service targetPorts and
 *     NetworkPolicy named ports resolve to
 * @param ready false only when status.conditions says Ready is not True (services skip it)
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

    /** A ready pod without declared container ports. */
    public Pod(String namespace, String name, Map<String, String> labels, Map<String, String> annotations,
            String nodeName, String podIP, List<Workload> workloads) {
        this(namespace, name, labels, annotations, nodeName, podIP, workloads, List.of(), true);
    }

    /** A ready pod. */
    public Pod(String namespace, String name, Map<String, String> labels, Map<String, String> annotations,
            String nodeName, String podIP, List<Workload> workloads, List<ContainerPort> ports) {
        this(namespace, name, labels, annotations, nodeName, podIP, workloads, ports, true);
    }

    /** An owner of the pod, e.g. kind Deployment, name frontend. */
    public record Workload(String kind, String name) {}

    /** A container port: name ("" when unnamed), number and protocol (TCP, UDP or SCTP). */
    public record ContainerPort(String name, int port, String protocol) {}

    public String fullName() {
        return namespace + "/" + name;
    }
}
