package dev.flows.cluster;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Collects objects across files; checks what spans objects (duplicates, pod to node). */
final class ClusterBuilder {
    final Map<String, Node> nodes = new LinkedHashMap<>();
    final Map<String, Namespace> namespaces = new LinkedHashMap<>();
    final Map<String, Pod> pods = new LinkedHashMap<>();
    final Map<String, Service> services = new LinkedHashMap<>();
    final Map<String, NetworkPolicy> policies = new LinkedHashMap<>();
    final Map<String, String> podSources = new LinkedHashMap<>();
    final Map<String, EndpointSlice> endpointSlices = new LinkedHashMap<>();

    <T> void add(String file, String what, Map<String, T> into, String key, T value) {
        if (into.putIfAbsent(key, value) != null) {
            throw new YamlClusterLoader.InvalidClusterException(file + ": " + what + " is defined twice; expected each object once");
        }
    }

    ClusterState build() {
        Set<String> ips = new LinkedHashSet<>();
        for (Pod p : pods.values()) {
            if (!p.nodeName().isEmpty() && !nodes.containsKey(p.nodeName())) {
                throw new YamlClusterLoader.InvalidClusterException(podSources.get(p.fullName()) + ": Pod " + p.fullName()
                        + " is on an unknown node: spec.nodeName = '" + p.nodeName() + "'; expected one of "
                        + (nodes.isEmpty() ? "(no Node defined)" : String.join(", ", nodes.keySet())));
            }
            if (!p.podIP().isEmpty() && !ips.add(p.podIP())) {
                throw new YamlClusterLoader.InvalidClusterException(podSources.get(p.fullName()) + ": Pod " + p.fullName()
                        + " reuses an IP: status.podIP = '" + p.podIP() + "'; expected an address no other pod has");
            }
        }
        return new ClusterState(List.copyOf(nodes.values()), List.copyOf(namespaces.values()),
                List.copyOf(pods.values()), List.copyOf(services.values()), List.copyOf(policies.values()),
                List.copyOf(endpointSlices.values()));
    }
}
