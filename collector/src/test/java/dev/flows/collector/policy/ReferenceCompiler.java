package dev.flows.collector.policy;

import dev.flows.observer.net.Ipv4Prefix;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Namespace;
import dev.flows.cluster.NetworkPolicy;
import dev.flows.cluster.NetworkPolicy.Direction;
import dev.flows.cluster.NetworkPolicy.Peer;
import dev.flows.cluster.NetworkPolicy.Rule;
import dev.flows.cluster.Node;
import dev.flows.cluster.Pod;
import dev.flows.collector.enrich.Enricher;
import dev.flows.collector.enrich.Identities;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The maps of a whole cluster state computed the slow, obvious way (every policy, every local
 * pod, every remote), to check what {@link PolicyState} keeps up to date change by change.
 * Numbers (identities, policy ids) are taken from the state under test: allocating them is not
 * what this checks.
 */
final class ReferenceCompiler {
    record Maps(Map<Ipv4Prefix, Integer> ipcache, Map<PolicyKey, PolicyValue> policy, Map<Integer, EndpointPolicy> endpoints) {}

    private ReferenceCompiler() {}

    static Maps compile(ClusterState s, String localNode, PolicyState numbers) {
        Map<String, Map<String, String>> declared = new HashMap<>();
        for (Namespace n : s.namespaces()) {
            declared.put(n.name(), n.labels());
        }
        Map<Ipv4Prefix, Integer> ipcache = new HashMap<>();
        ipcache.put(Ipv4Prefix.ALL, Identities.WORLD);
        List<Remote> remotes = new ArrayList<>(List.of(Remote.ANY, Remote.cidr(Identities.WORLD, Ipv4Prefix.ALL)));
        for (NetworkPolicy p : s.policies()) {
            for (Direction d : Direction.values()) {
                for (Rule r : p.rules(d)) {
                    for (Peer peer : r.peers()) {
                        if (peer.ipBlock() != null) {
                            List<String> prefixes = new ArrayList<>(peer.ipBlock().except());
                            prefixes.add(peer.ipBlock().cidr());
                            for (String text : prefixes) {
                                Ipv4Prefix prefix = Ipv4Prefix.parse(text);
                                if (prefix.len() > 0 && !ipcache.containsKey(prefix)) {
                                    ipcache.put(prefix, numbers.cidrIdentityOf(prefix));
                                    remotes.add(Remote.cidr(numbers.cidrIdentityOf(prefix), prefix));
                                }
                            }
                        }
                    }
                }
            }
        }
        Map<Integer, List<Pod>> byIdentity = new HashMap<>();
        for (Pod pod : s.pods()) {
            int id = numbers.identityOf(Enricher.podLabels(pod));
            byIdentity.computeIfAbsent(id, k -> new ArrayList<>()).add(pod);
            if (!pod.podIP().isEmpty()) {
                ipcache.put(Ipv4Prefix.parse(pod.podIP()), id);
            }
        }
        byIdentity.forEach((id, pods) -> {
            Pod any = pods.get(0);
            remotes.add(Remote.pods(id, any.namespace(), any.labels(),
                    PolicyRules.namespaceLabels(any.namespace(), declared.get(any.namespace())), pods));
        });
        for (Node n : s.nodes()) {
            ipcache.put(Ipv4Prefix.parse(n.internalIP()), n.name().equals(localNode) ? Identities.HOST : Identities.REMOTE_NODE);
        }

        Map<Integer, EndpointPolicy> endpoints = new HashMap<>();
        Map<PolicyKey, TreeSet<String>> allowedBy = new HashMap<>();
        for (Pod local : s.pods()) {
            if (!local.nodeName().equals(localNode) || local.podIP().isEmpty()
                    || s.nodes().stream().anyMatch(n -> n.internalIP().equals(local.podIP()))) {
                continue;
            }
            int endpoint = PolicyKey.endpointId(local.podIP());
            // per direction: enforced if an enforced policy selects the pod, else audited if an audit-mode one does
            Map<Direction, EndpointPolicy.Mode> mode = new java.util.EnumMap<>(Direction.class);
            for (Direction d : Direction.values()) {
                mode.put(d, EndpointPolicy.Mode.OFF);
                for (NetworkPolicy p : s.policies()) {
                    if (PolicyRules.selects(p, local) && p.policyTypes().contains(d)) {
                        mode.put(d, !p.audit() ? EndpointPolicy.Mode.ENFORCE
                                : mode.get(d) == EndpointPolicy.Mode.ENFORCE ? EndpointPolicy.Mode.ENFORCE : EndpointPolicy.Mode.AUDIT);
                    }
                }
            }
            for (NetworkPolicy p : s.policies()) {
                if (!PolicyRules.selects(p, local)) {
                    continue;
                }
                for (Remote r : remotes) {
                    PolicyRules.keys(p, local, endpoint, r, k -> {
                        Direction d = k.direction() == PolicyKey.INGRESS ? Direction.INGRESS : Direction.EGRESS;
                        if (!p.audit() || mode.get(d) != EndpointPolicy.Mode.ENFORCE) {
                            allowedBy.computeIfAbsent(k, x -> new TreeSet<>()).add(p.fullName());
                        }
                    });
                }
            }
            endpoints.put(endpoint, new EndpointPolicy(mode.get(Direction.INGRESS), mode.get(Direction.EGRESS)));
        }
        Map<PolicyKey, PolicyValue> policy = new HashMap<>();
        allowedBy.forEach((k, names) -> policy.put(k, new PolicyValue(numbers.policyIdOf(names.first()))));
        return new Maps(ipcache, policy, endpoints);
    }
}
