package dev.flows.collector.policy;

import dev.flows.collector.cluster.ClusterState;
import dev.flows.collector.cluster.Namespace;
import dev.flows.collector.cluster.NetworkPolicy;
import dev.flows.collector.cluster.NetworkPolicy.Direction;
import dev.flows.collector.cluster.NetworkPolicy.Peer;
import dev.flows.collector.cluster.NetworkPolicy.Rule;
import dev.flows.collector.cluster.NetworkPolicy.Selector;
import dev.flows.collector.cluster.Node;
import dev.flows.collector.cluster.Pod;
import dev.flows.collector.enrich.Identities;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The policy maps of one node (ipcache, policy, endpoints) as programmed, kept up to date one
 * cluster change at a time: each change returns the {@link PolicyDelta} to write.
 *
 * <p>An entry of the policy map exists because some policy, applied to some local pod, allows
 * some remote; each such (policy, pod, remote) is recomputed by {@link PolicyRules} only when a
 * change can alter it. Indexes find those triples: pods by namespace and label (which pods a
 * selector picks), policies by the labels their selectors require (which policies a pod can
 * matter to), ipBlock rules by prefix (which rules a new CIDR falls in). So a change costs what
 * the entries it touches cost, not what the cluster holds. Node changes are not incremental:
 * a new node list needs a new state.
 *
 * <p>Not thread-safe: one thread applies the cluster's changes in order.
 */
public final class PolicyState {
    private final String localNode;
    private final Map<Ipv4Prefix, Integer> nodeAddresses = new HashMap<>();
    private final ClusterIndex cluster = new ClusterIndex();
    private final Map<String, NetworkPolicy> policies = new HashMap<>();
    private final IdAllocator<String> policyIds = new IdAllocator<>(1, Integer.MAX_VALUE);
    private final IdAllocator<Ipv4Prefix> cidrIds =
            new IdAllocator<>(PolicyMapLayout.CIDR_IDENTITY_MIN, PolicyMapLayout.CIDR_IDENTITY_MAX);
    private final TreeSet<Ipv4Prefix> cidrPrefixes = new TreeSet<>();
    /** An ipBlock's cidr to the policies having it. */
    private final Map<Ipv4Prefix, Set<String>> ipBlockPolicies = new HashMap<>();
    /** A policy's podSelector key to the policy (see {@link #localKeys}). */
    private final Map<String, Set<String>> localIndex = new HashMap<>();
    /** A peer selector's key to the policy (see {@link #peerKeys}). */
    private final Map<String, Set<String>> peerIndex = new HashMap<>();
    private final Map<String, Set<String>> selected = new HashMap<>();
    private final Map<String, Set<String>> selectedBy = new HashMap<>();
    private final Map<Triple, Set<PolicyKey>> contributions = new HashMap<>();
    private final Map<String, Set<Triple>> byPolicy = new HashMap<>();
    private final Map<String, Set<Triple>> byLocal = new HashMap<>();
    private final Map<Integer, Set<Triple>> byRemote = new HashMap<>();
    /** The policies allowing each key; the first by name is the one the entry names. */
    private final Map<PolicyKey, TreeSet<String>> contributors = new HashMap<>();
    private final Map<Ipv4Prefix, String> podAddresses = new HashMap<>();

    private final TrackedMap<Ipv4Prefix, Integer> ipcache = new TrackedMap<>();
    private final TrackedMap<PolicyKey, PolicyValue> policyMap = new TrackedMap<>();
    private final TrackedMap<Integer, EndpointPolicy> endpoints = new TrackedMap<>();

    /** One policy applied to one local pod, about one remote identity. */
    private record Triple(String policy, String pod, int remote) {}

    /** An empty state: world, and the nodes' addresses ({@code localNode}'s as host). */
    public PolicyState(List<Node> nodes, String localNode) {
        this.localNode = localNode;
        for (Node n : nodes) {
            if (n.internalIP() != null && !n.internalIP().isEmpty()) {
                nodeAddresses.put(Ipv4Prefix.parse(n.internalIP()), n.name().equals(localNode) ? Identities.HOST : Identities.REMOTE_NODE);
            }
        }
        refreshAddress(Ipv4Prefix.ALL);
        nodeAddresses.keySet().forEach(this::refreshAddress);
    }

    /** The maps for {@code state} on {@code localNode}; {@link #drain()} gives all of it as puts. */
    public static PolicyState of(ClusterState state, String localNode) {
        PolicyState s = new PolicyState(state.nodes(), localNode);
        state.namespaces().forEach(n -> s.cluster.setNamespace(n.name(), n.labels()));
        state.pods().forEach(s::addPod);
        state.policies().forEach(s::addPolicy);
        return s;
    }

    public PolicyDelta putPod(Pod p) {
        Pod old = cluster.pod(p.fullName());
        if (old != null) {
            removePod(old);
        }
        addPod(p);
        return drain();
    }

    public PolicyDelta removePod(String namespace, String name) {
        Pod old = cluster.pod(namespace + "/" + name);
        if (old != null) {
            removePod(old);
        }
        return drain();
    }

    public PolicyDelta putNamespace(Namespace ns) {
        namespaceChanged(ns.name(), ns.labels());
        return drain();
    }

    public PolicyDelta removeNamespace(String name) {
        namespaceChanged(name, null);
        return drain();
    }

    public PolicyDelta putPolicy(NetworkPolicy p) {
        NetworkPolicy old = policies.get(p.fullName());
        if (old != null) {
            removePolicy(old);
        }
        addPolicy(p);
        return drain();
    }

    public PolicyDelta removePolicy(String namespace, String name) {
        NetworkPolicy old = policies.get(namespace + "/" + name);
        if (old != null) {
            removePolicy(old);
        }
        return drain();
    }

    /** The change to write since the last drain (or since construction). */
    public PolicyDelta drain() {
        return new PolicyDelta(ipcache.drain(), policyMap.drain(), endpoints.drain());
    }

    public Map<Ipv4Prefix, Integer> ipcache() {
        return ipcache.view();
    }

    public Map<PolicyKey, PolicyValue> policyMap() {
        return policyMap.view();
    }

    public Map<Integer, EndpointPolicy> endpoints() {
        return endpoints.view();
    }

    /** Policy id to "namespace/name", for the enricher to name the policy of a verdict. */
    public Map<Integer, String> policyNames() {
        Map<Integer, String> out = new HashMap<>();
        policyIds.all().forEach((name, id) -> out.put(id, name));
        return Collections.unmodifiableMap(out);
    }

    /** The identity of a label set in use (as {@code Enricher.podLabels} forms it), or null. */
    public Integer identityOf(List<String> labels) {
        return cluster.identity(labels);
    }

    /** The CIDR identity of an ipBlock prefix in use (world for 0.0.0.0/0), or null. */
    public Integer cidrIdentityOf(Ipv4Prefix prefix) {
        return prefix.len() == 0 ? Integer.valueOf(Identities.WORLD) : cidrIds.get(prefix);
    }

    public Integer policyIdOf(String namespaceAndName) {
        return policyIds.get(namespaceAndName);
    }

    // ---- pods and namespaces

    private boolean isLocal(Pod p) {
        return p.nodeName().equals(localNode) && !p.podIP().isEmpty()
                && !nodeAddresses.containsKey(Ipv4Prefix.parse(p.podIP()));
    }

    private void addPod(Pod p) {
        int signed = cluster.add(p);
        int id = Math.abs(signed);
        if (!p.podIP().isEmpty()) {
            Ipv4Prefix a = Ipv4Prefix.parse(p.podIP());
            podAddresses.put(a, p.fullName());
            refreshAddress(a);
        }
        // pods of one identity are alike to selectors: only a new identity, or new named ports, can add entries
        if (signed < 0 || p.ports().stream().anyMatch(cp -> !cp.name().isEmpty())) {
            for (String policy : candidates(peerIndex, podPeerKeys(p.namespace(), p.labels(), List.of(cluster.namespaceLabels(p.namespace()))))) {
                for (String local : new ArrayList<>(selected.getOrDefault(policy, Set.of()))) {
                    recompute(new Triple(policy, local, id));
                }
            }
        }
        if (isLocal(p)) {
            List<String> keys = new ArrayList<>();
            keys.add(p.namespace() + "/*");
            p.labels().forEach((k, v) -> keys.add(p.namespace() + "/p/" + k + "=" + v));
            for (String policy : candidates(localIndex, keys)) {
                NetworkPolicy np = policies.get(policy);
                if (PolicyRules.selects(np, p)) {
                    select(np, p.fullName(), remotesOf(np));
                }
            }
            refreshEndpoint(p);
        }
    }

    private void removePod(Pod p) {
        String name = p.fullName();
        int id = cluster.identity(p);
        boolean freed = cluster.remove(p);
        if (isLocal(p)) {
            for (String policy : selectedBy.getOrDefault(name, Set.of())) {
                removeFrom(selected, policy, name);
            }
            selectedBy.remove(name);
            for (Triple t : new ArrayList<>(byLocal.getOrDefault(name, Set.of()))) {
                recompute(t);
            }
            endpoints.remove(PolicyKey.endpointId(p.podIP()));
        }
        if (!p.podIP().isEmpty()) {
            Ipv4Prefix a = Ipv4Prefix.parse(p.podIP());
            podAddresses.remove(a, name);
            refreshAddress(a);
        }
        if (freed || p.ports().stream().anyMatch(cp -> !cp.name().isEmpty())) {
            for (Triple t : new ArrayList<>(byRemote.getOrDefault(id, Set.of()))) {
                recompute(t);
            }
        }
    }

    private void namespaceChanged(String ns, Map<String, String> labels) {
        // the policies that selected the namespace's pods before, and those that may select them now
        List<Map<String, String>> nsLabels = List.of(cluster.setNamespace(ns, labels), cluster.namespaceLabels(ns));
        for (int id : new ArrayList<>(cluster.identitiesIn(ns))) {
            Remote r = cluster.remote(id);
            for (String policy : candidates(peerIndex, podPeerKeys(ns, r.labels(), nsLabels))) {
                for (String local : new ArrayList<>(selected.getOrDefault(policy, Set.of()))) {
                    recompute(new Triple(policy, local, id));
                }
            }
        }
    }

    // ---- policies

    private void addPolicy(NetworkPolicy p) {
        String name = p.fullName();
        policies.put(name, p);
        policyIds.acquire(name, 1 + Math.floorMod(name.hashCode() * 0x9E3779B1, Integer.MAX_VALUE));
        index(localIndex, localKeys(p), name);
        index(peerIndex, peerKeys(p), name);
        for (Ipv4Prefix cidr : ipBlockCidrs(p)) {
            ipBlockPolicies.computeIfAbsent(cidr, k -> new HashSet<>()).add(name);
        }
        for (Ipv4Prefix prefix : ipBlockPrefixes(p)) {
            acquireCidr(prefix);
        }
        Set<Integer> remotes = null;
        for (Pod pod : cluster.matching(p.namespace(), p.podSelector())) {
            if (isLocal(pod)) {
                remotes = remotes == null ? remotesOf(p) : remotes;
                select(p, pod.fullName(), remotes);
                refreshEndpoint(pod);
            }
        }
    }

    private void removePolicy(NetworkPolicy p) {
        String name = p.fullName();
        policies.remove(name);
        for (Triple t : new ArrayList<>(byPolicy.getOrDefault(name, Set.of()))) {
            recompute(t);
        }
        for (String local : selected.getOrDefault(name, Set.of())) {
            removeFrom(selectedBy, local, name);
            refreshEndpoint(cluster.pod(local));
        }
        selected.remove(name);
        unindex(localIndex, localKeys(p), name);
        unindex(peerIndex, peerKeys(p), name);
        for (Ipv4Prefix cidr : ipBlockCidrs(p)) {
            removeFrom(ipBlockPolicies, cidr, name);
        }
        for (Ipv4Prefix prefix : ipBlockPrefixes(p)) {
            releaseCidr(prefix);
        }
        policyIds.release(name);
    }

    /** Applies {@code p} to local pod {@code pod}, for each of the remotes its rules may allow. */
    private void select(NetworkPolicy p, String pod, Set<Integer> remotes) {
        selected.computeIfAbsent(p.fullName(), k -> new HashSet<>()).add(pod);
        selectedBy.computeIfAbsent(pod, k -> new HashSet<>()).add(p.fullName());
        for (int remote : remotes) {
            recompute(new Triple(p.fullName(), pod, remote));
        }
    }

    /** Every remote identity some rule of {@code p} can allow. */
    private Set<Integer> remotesOf(NetworkPolicy p) {
        Set<Integer> out = new HashSet<>();
        for (Direction d : Direction.values()) {
            for (Rule rule : p.rules(d)) {
                if (rule.peers().isEmpty()) {
                    out.add(PolicyMapLayout.IDENTITY_ANY);
                    if (PolicyRules.namedEgress(d, rule)) {
                        rule.ports().stream().filter(port -> port.name() != null)
                                .forEach(port -> cluster.withNamedPort(port.name()).forEach(pod -> out.add(cluster.identity(pod))));
                    }
                }
                for (Peer peer : rule.peers()) {
                    if (peer.ipBlock() == null) {
                        cluster.selectedBy(p.namespace(), peer).forEach(pod -> out.add(cluster.identity(pod)));
                        continue;
                    }
                    Ipv4Prefix block = Ipv4Prefix.parse(peer.ipBlock().cidr());
                    if (block.len() == 0) {
                        out.add(Identities.WORLD);
                    }
                    for (Ipv4Prefix inside : cidrPrefixes.subSet(block, true, new Ipv4Prefix((int) block.end(), 32), true)) {
                        out.add(cidrIds.get(inside));
                    }
                }
            }
        }
        return out;
    }

    private void acquireCidr(Ipv4Prefix prefix) {
        if (prefix.len() == 0) {
            return; // world
        }
        boolean known = cidrIds.get(prefix) != null;
        int id = cidrIds.acquire(prefix, PolicyMapLayout.CIDR_IDENTITY_MIN
                + Math.floorMod((prefix.addr() * 0x9E3779B1) ^ (prefix.len() * 0x85EBCA6B), 1 << 24));
        if (known) {
            return;
        }
        cidrPrefixes.add(prefix);
        refreshAddress(prefix);
        // a new, more specific prefix takes its addresses from the prefixes around it: every
        // ipBlock containing it must now say whether it allows it
        for (int len = 0; len <= prefix.len(); len++) {
            for (String policy : ipBlockPolicies.getOrDefault(new Ipv4Prefix(prefix.addr(), len), Set.of())) {
                for (String local : new ArrayList<>(selected.getOrDefault(policy, Set.of()))) {
                    recompute(new Triple(policy, local, id));
                }
            }
        }
    }

    private void releaseCidr(Ipv4Prefix prefix) {
        if (prefix.len() == 0) {
            return;
        }
        int id = cidrIds.get(prefix);
        if (cidrIds.release(prefix)) {
            cidrPrefixes.remove(prefix);
            refreshAddress(prefix);
            for (Triple t : new ArrayList<>(byRemote.getOrDefault(id, Set.of()))) {
                recompute(t);
            }
        }
    }

    // ---- entries

    private void recompute(Triple t) {
        Set<PolicyKey> now = compute(t);
        Set<PolicyKey> was = contributions.getOrDefault(t, Set.of());
        if (now.equals(was)) {
            return;
        }
        for (PolicyKey k : was) {
            if (!now.contains(k)) {
                TreeSet<String> c = contributors.get(k);
                c.remove(t.policy());
                if (c.isEmpty()) {
                    contributors.remove(k);
                }
                refreshKey(k);
            }
        }
        for (PolicyKey k : now) {
            if (!was.contains(k)) {
                contributors.computeIfAbsent(k, x -> new TreeSet<>()).add(t.policy());
                refreshKey(k);
            }
        }
        if (now.isEmpty()) {
            contributions.remove(t);
            removeFrom(byPolicy, t.policy(), t);
            removeFrom(byLocal, t.pod(), t);
            removeFrom(byRemote, t.remote(), t);
        } else {
            contributions.put(t, now);
            byPolicy.computeIfAbsent(t.policy(), k -> new HashSet<>()).add(t);
            byLocal.computeIfAbsent(t.pod(), k -> new HashSet<>()).add(t);
            byRemote.computeIfAbsent(t.remote(), k -> new HashSet<>()).add(t);
        }
    }

    private Set<PolicyKey> compute(Triple t) {
        NetworkPolicy p = policies.get(t.policy());
        Pod local = cluster.pod(t.pod());
        if (p == null || local == null || !selected.getOrDefault(t.policy(), Set.of()).contains(t.pod())) {
            return Set.of();
        }
        Remote r = remote(t.remote());
        if (r == null) {
            return Set.of();
        }
        Set<PolicyKey> out = new HashSet<>();
        PolicyRules.keys(p, local, PolicyKey.endpointId(local.podIP()), r, out::add);
        return out;
    }

    private Remote remote(int id) {
        if (id == PolicyMapLayout.IDENTITY_ANY) {
            return Remote.ANY;
        }
        if (id == Identities.WORLD) {
            return Remote.cidr(id, Ipv4Prefix.ALL);
        }
        if (id >= PolicyMapLayout.CIDR_IDENTITY_MIN) {
            Ipv4Prefix prefix = cidrIds.owner(id);
            return prefix == null ? null : Remote.cidr(id, prefix);
        }
        return cluster.remote(id);
    }

    private void refreshKey(PolicyKey k) {
        TreeSet<String> c = contributors.get(k);
        if (c == null) {
            policyMap.remove(k);
        } else {
            policyMap.put(k, new PolicyValue(policyIds.get(c.first())));
        }
    }

    /** Nodes over pods over ipBlock prefixes: ipBlock never takes a cluster address (see PolicyRules). */
    private void refreshAddress(Ipv4Prefix a) {
        Integer node = nodeAddresses.get(a);
        String pod = podAddresses.get(a);
        Integer id = node != null ? node
                : pod != null ? Integer.valueOf(cluster.identity(cluster.pod(pod)))
                : cidrIdentityOf(a);
        if (id == null) {
            ipcache.remove(a);
        } else {
            ipcache.put(a, id);
        }
    }

    private void refreshEndpoint(Pod p) {
        if (p == null || !isLocal(p)) {
            return;
        }
        boolean ingress = false;
        boolean egress = false;
        for (String policy : selectedBy.getOrDefault(p.fullName(), Set.of())) {
            Set<Direction> types = policies.get(policy).policyTypes();
            ingress |= types.contains(Direction.INGRESS);
            egress |= types.contains(Direction.EGRESS);
        }
        endpoints.put(PolicyKey.endpointId(p.podIP()), new EndpointPolicy(ingress, egress));
    }

    // ---- index keys: a selector is filed under one label it requires, a pod looked up under all of its labels

    private static String selectorKey(String ns, Selector sel) {
        return sel.matchLabels().isEmpty() ? ns + "/*" : ns + "/p/" + ClusterIndex.firstLabel(sel);
    }

    private static Set<String> localKeys(NetworkPolicy p) {
        return Set.of(selectorKey(p.namespace(), p.podSelector()));
    }

    private static Set<String> peerKeys(NetworkPolicy p) {
        Set<String> keys = new HashSet<>();
        for (Direction d : Direction.values()) {
            for (Rule rule : p.rules(d)) {
                if (rule.peers().isEmpty() && PolicyRules.namedEgress(d, rule)) {
                    keys.add("*/*");
                }
                for (Peer peer : rule.peers()) {
                    if (peer.ipBlock() != null) {
                        continue;
                    }
                    if (peer.namespaceSelector() == null) {
                        keys.add(selectorKey(p.namespace(), peer.podSelector()));
                    } else if (!peer.namespaceSelector().matchLabels().isEmpty()) {
                        // namespaces are fewer than pods, and often picked by name: the sharper key
                        keys.add("*/n/" + ClusterIndex.firstLabel(peer.namespaceSelector()));
                    } else if (peer.podSelector() != null && !peer.podSelector().matchLabels().isEmpty()) {
                        keys.add("*/p/" + ClusterIndex.firstLabel(peer.podSelector()));
                    } else {
                        keys.add("*/*");
                    }
                }
            }
        }
        return keys;
    }

    private static List<String> podPeerKeys(String ns, Map<String, String> labels, List<Map<String, String>> nsLabelSets) {
        List<String> keys = new ArrayList<>();
        keys.add(ns + "/*");
        keys.add("*/*");
        labels.forEach((k, v) -> {
            keys.add(ns + "/p/" + k + "=" + v);
            keys.add("*/p/" + k + "=" + v);
        });
        for (Map<String, String> nsLabels : nsLabelSets) {
            nsLabels.forEach((k, v) -> keys.add("*/n/" + k + "=" + v));
        }
        return keys;
    }

    private static Set<Ipv4Prefix> ipBlockCidrs(NetworkPolicy p) {
        Set<Ipv4Prefix> out = new HashSet<>();
        for (Direction d : Direction.values()) {
            for (Rule rule : p.rules(d)) {
                for (Peer peer : rule.peers()) {
                    if (peer.ipBlock() != null) {
                        out.add(Ipv4Prefix.parse(peer.ipBlock().cidr()));
                    }
                }
            }
        }
        return out;
    }

    /** Every prefix the ipcache needs for {@code p}: its ipBlocks' cidrs and excepts, once each. */
    private static Set<Ipv4Prefix> ipBlockPrefixes(NetworkPolicy p) {
        Set<Ipv4Prefix> out = new LinkedHashSet<>(ipBlockCidrs(p));
        for (Direction d : Direction.values()) {
            for (Rule rule : p.rules(d)) {
                for (Peer peer : rule.peers()) {
                    if (peer.ipBlock() != null) {
                        peer.ipBlock().except().forEach(e -> out.add(Ipv4Prefix.parse(e)));
                    }
                }
            }
        }
        return out;
    }

    private static Set<String> candidates(Map<String, Set<String>> index, List<String> keys) {
        Set<String> out = new TreeSet<>();
        for (String k : keys) {
            out.addAll(index.getOrDefault(k, Set.of()));
        }
        return out;
    }

    private static void index(Map<String, Set<String>> index, Set<String> keys, String policy) {
        for (String k : keys) {
            index.computeIfAbsent(k, x -> new HashSet<>()).add(policy);
        }
    }

    private static void unindex(Map<String, Set<String>> index, Set<String> keys, String policy) {
        for (String k : keys) {
            removeFrom(index, k, policy);
        }
    }

    private static <K, V> void removeFrom(Map<K, Set<V>> index, K key, V value) {
        Set<V> s = index.get(key);
        if (s != null && s.remove(value) && s.isEmpty()) {
            index.remove(key);
        }
    }
}
