package dev.flows.collector.enrich;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Namespace;
import dev.flows.cluster.Node;
import dev.flows.cluster.Pod;
import dev.flows.cluster.Service;
import java.util.List;
import java.util.Map;

/** Cluster states shared by enricher, pipeline tests and the processor benchmark. */
public final class TestClusters {
    private TestClusters() {}

    static final Pod FRONTEND = new Pod("shop", "frontend-7d4b9c-abcde", Map.of("app", "frontend", "tier", "web"),
            Map.of(), "node-1", "10.244.1.5", List.of(new Pod.Workload("Deployment", "frontend")));
    static final Pod FRONTEND2 = new Pod("shop", "frontend-7d4b9c-fghij", Map.of("tier", "web", "app", "frontend"),
            Map.of(), "node-2", "10.244.2.9", List.of(new Pod.Workload("Deployment", "frontend")));
    static final Pod BACKEND = new Pod("shop", "backend-0", Map.of("app", "backend"),
            Map.of(), "node-2", "10.244.2.7", List.of(new Pod.Workload("StatefulSet", "backend")));
    static final Pod BACKEND_OTHER_NS = new Pod("staging", "backend-0", Map.of("app", "backend"),
            Map.of(), "node-2", "10.244.2.8", List.of());

    /** Two nodes, four pods in shop and staging, a ClusterIP service shop/backend with NodePort 30080. */
    public static ClusterState shop() {
        return new ClusterState(
                List.of(new Node("node-1", "192.168.10.11", "10.244.1.0/24"),
                        new Node("node-2", "192.168.10.12", "10.244.2.0/24")),
                List.of(new Namespace("shop", Map.of()), new Namespace("staging", Map.of())),
                List.of(FRONTEND, FRONTEND2, BACKEND, BACKEND_OTHER_NS),
                List.of(new Service("shop", "backend", "NodePort", "10.96.0.20", Map.of("app", "backend"),
                        List.of(new Service.Port("http", "TCP", 80, "8080", 30080)))));
    }
}
