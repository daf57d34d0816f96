package dev.flows.collector.policy;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Namespace;
import dev.flows.cluster.NetworkPolicy;
import dev.flows.cluster.Node;
import dev.flows.cluster.Pod;
import dev.flows.cluster.YamlClusterLoader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small cluster for policy tests: node-a (local) and node-b, pods in Java, policies in YAML. */
final class TestCluster {
    static final Node NODE_A = new Node("node-a", "172.20.0.2", "10.244.1.0/24");
    static final Node NODE_B = new Node("node-b", "172.20.0.3", "10.244.2.0/24");

    private final List<Namespace> namespaces = new ArrayList<>();
    private final List<Pod> pods = new ArrayList<>();
    private final List<NetworkPolicy> policies = new ArrayList<>();

    TestCluster namespace(String name, String... labels) {
        namespaces.add(new Namespace(name, labels(labels)));
        return this;
    }

    /** A pod on node-a; {@code labels} as "k=v"; ports as "name:number/PROTO". */
    TestCluster pod(String fullName, String ip, String... labelsAndPorts) {
        return podOn("node-a", fullName, ip, labelsAndPorts);
    }

    TestCluster podOn(String node, String fullName, String ip, String... labelsAndPorts) {
        pods.add(newPod(fullName, node, ip, labelsAndPorts));
        return this;
    }

    static Pod newPod(String fullName, String node, String ip, String... labelsAndPorts) {
        String[] nsName = fullName.split("/");
        List<String> labels = new ArrayList<>();
        List<Pod.ContainerPort> ports = new ArrayList<>();
        for (String s : labelsAndPorts) {
            if (s.contains(":")) {
                String[] np = s.split("[:/]");
                ports.add(new Pod.ContainerPort(np[0], Integer.parseInt(np[1]), np.length > 2 ? np[2] : "TCP"));
            } else {
                labels.add(s);
            }
        }
        return new Pod(nsName[0], nsName[1], labels(labels.toArray(String[]::new)), Map.of(), node, ip, List.of(), List.copyOf(ports));
    }

    /** NetworkPolicy documents, as a user would write them. */
    TestCluster policies(String yaml) {
        policies.addAll(parsePolicies(yaml));
        return this;
    }

    static List<NetworkPolicy> parsePolicies(String yaml) {
        return new YamlClusterLoader(note -> {
            throw new AssertionError(note);
        }).load("test", new StringReader(yaml)).policies();
    }

    ClusterState state() {
        return new ClusterState(List.of(NODE_A, NODE_B), namespaces, pods, List.of(), policies);
    }

    PolicyLookup compile() {
        return new PolicyLookup(PolicyState.of(state(), NODE_A.name()));
    }

    static Map<String, String> labels(String... kv) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String s : kv) {
            String[] p = s.split("=", 2);
            out.put(p[0], p[1]);
        }
        return out;
    }
}
