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
import dev.flows.collector.policy.EndpointPolicy.Mode;
import dev.flows.collector.policy.PolicyEntries.Reason;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 * <p>Numbers: a local pod's endpoint id is its IPv4 address (the program reads it from the packet,
 * and a restarted collector derives the same ids). A label set's identity is its
 * {@link Identities} hash, a policy's id a hash of "namespace/name", an ipBlock prefix's CIDR
 * identity a hash into [2^24, 2^25): every node and every restart agrees on them, except when two
 * names hash alike, where the later one on this node takes the next free number. The enricher
 * resolves such collisions by sorted order instead, so on a collision the two can disagree on
 * that identity; enforcement is unaffected (ipcache and policy map come from the same state).
 *
 * <p>Not thread-safe: one thread applies the cluster's changes in order.
 */
public final class PolicyState {
    private final String localNode;
    private final Map<Ipv4Prefix, Integer> nodeAddresses = new HashMap<>();
    private final ClusterIndex cluster = new ClusterIndex();
    private final Map<String, NetworkPolicy> policies = new HashMap<>();
    private final PolicyIndex index = new PolicyIndex();
    private final IdAllocator<String> policyIds = new IdAllocator<>(1, Integer.MAX_VALUE);
    private final CidrIdentities cidrIds = new CidrIdentities();
    /** Policy to the local pods it selects, and back. */
    private final Map<String, Set<String>> selected = new HashMap<>();
    private final Map<String, Set<String>> selectedBy = new HashMap<>();
    private final PolicyEntries entries = new PolicyEntries(policyIds::get);
    private final Map<Ipv4Prefix, String> podAddresses = new HashMap<>();

    private final TrackedMap<Ipv4Prefix, Integer> ipcache = new TrackedMap<>();
    private final TrackedMap<Integer, EndpointPolicy> endpoints = new TrackedMap<>();

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
        return new PolicyDelta(ipcache.drain(), entries.map().drain(), endpoints.drain());
    }

    public Map<Ipv4Prefix, Integer> ipcache() {
        return ipcache.view();
    }

    public Map<PolicyKey, PolicyValue> policyMap() {
        return entries.map().view();
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

    /**
     * Local pods' addresses to the policies ("namespace/name", sorted) that select them for
     * {@code d}: what a denial in that direction names.
     */
    public Map<String, List<String>> selecting(Direction d) {
        Map<String, List<String>> out = new HashMap<>();
        selectedBy.forEach((pod, names) -> {
            Pod p = cluster.pod(pod);
            List<String> by = names.stream().filter(n -> policies.get(n).policyTypes().contains(d)).sorted().toList();
            if (p != null && !by.isEmpty()) {
                out.put(p.podIP(), by);
            }
        });
        return out;
    }

    /** The identity of a label set in use (as {@code Enricher.podLabels} forms it), or null. */
    public Integer identityOf(List<String> labels) {
        return cluster.identity(labels);
    }

    /** The CIDR identity of an ipBlock prefix in use (world for 0.0.0.0/0), or null. */
    public Integer cidrIdentityOf(Ipv4Prefix prefix) {
        return cidrIds.of(prefix);
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
        boolean newIdentity = cluster.identity(Enricher.podLabels(p)) == null;
        int id = cluster.add(p);
        if (!p.podIP().isEmpty()) {
            Ipv4Prefix a = Ipv4Prefix.parse(p.podIP());
            podAddresses.put(a, p.fullName());
            refreshAddress(a);
        }
        // pods of one identity are alike to selectors: only a new identity, or new named ports, can add entries
        if (newIdentity || p.ports().stream().anyMatch(cp -> !cp.name().isEmpty())) {
            for (String policy : index.mayHaveAsPeer(p.namespace(), p.labels(), List.of(cluster.namespaceLabels(p.namespace())))) {
                recomputeSelected(policy, id);
            }
        }
        if (isLocal(p)) {
            for (String policy : index.mayApplyTo(p)) {
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
                MultiMaps.remove(selected, policy, name);
            }
            selectedBy.remove(name);
            entries.ofPod(name).forEach(this::recompute);
            endpoints.remove(PolicyKey.endpointId(p.podIP()));
        }
        if (!p.podIP().isEmpty()) {
            Ipv4Prefix a = Ipv4Prefix.parse(p.podIP());
            podAddresses.remove(a, name);
            refreshAddress(a);
        }
        if (freed || p.ports().stream().anyMatch(cp -> !cp.name().isEmpty())) {
            entries.ofRemote(id).forEach(this::recompute);
        }
    }

    private void namespaceChanged(String ns, Map<String, String> labels) {
        // the policies that selected the namespace's pods before, and those that may select them now
        List<Map<String, String>> nsLabels = List.of(cluster.setNamespace(ns, labels), cluster.namespaceLabels(ns));
        for (int id : new ArrayList<>(cluster.identitiesIn(ns))) {
            Remote r = cluster.remote(id);
            for (String policy : index.mayHaveAsPeer(ns, r.labels(), nsLabels)) {
                recomputeSelected(policy, id);
            }
        }
    }

    // ---- policies

    private void addPolicy(NetworkPolicy p) {
        String name = p.fullName();
        policies.put(name, p);
        policyIds.acquire(name, 1 + Math.floorMod(name.hashCode() * 0x9E3779B1, Integer.MAX_VALUE));
        index.add(p);
        for (Ipv4Prefix prefix : PolicyIndex.ipBlockPrefixes(p)) {
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
        entries.ofPolicy(name).forEach(this::recompute);
        for (String local : selected.getOrDefault(name, Set.of())) {
            MultiMaps.remove(selectedBy, local, name);
            refreshEndpoint(cluster.pod(local));
        }
        selected.remove(name);
        index.remove(p);
        for (Ipv4Prefix prefix : PolicyIndex.ipBlockPrefixes(p)) {
            releaseCidr(prefix);
        }
        policyIds.release(name);
    }

    /** Applies {@code p} to local pod {@code pod}, for each of the remotes its rules may allow. */
    private void select(NetworkPolicy p, String pod, Set<Integer> remotes) {
        MultiMaps.add(selected, p.fullName(), pod);
        MultiMaps.add(selectedBy, pod, p.fullName());
        for (int remote : remotes) {
            recompute(new Reason(p.fullName(), pod, remote));
        }
    }

    /** Re-asks {@code policy}, for every local pod it selects, about {@code remote}. */
    private void recomputeSelected(String policy, int remote) {
        for (String local : new ArrayList<>(selected.getOrDefault(policy, Set.of()))) {
            recompute(new Reason(policy, local, remote));
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
                    cidrIds.inside(block, out::add);
                }
            }
        }
        return out;
    }

    private void acquireCidr(Ipv4Prefix prefix) {
        int id = cidrIds.acquire(prefix);
        if (id < 0) {
            return; // world, or a prefix already in use
        }
        refreshAddress(prefix);
        // a new, more specific prefix takes its addresses from the prefixes around it: every
        // ipBlock containing it must now say whether it allows it
        for (String policy : index.withIpBlockAround(prefix)) {
            recomputeSelected(policy, id);
        }
    }

    private void releaseCidr(Ipv4Prefix prefix) {
        int id = cidrIds.release(prefix);
        if (id >= 0) {
            refreshAddress(prefix);
            entries.ofRemote(id).forEach(this::recompute);
        }
    }

    // ---- entries

    private void recompute(Reason r) {
        entries.set(r, compute(r));
    }

    private Set<PolicyKey> compute(Reason r) {
        NetworkPolicy p = policies.get(r.policy());
        Pod local = cluster.pod(r.pod());
        if (p == null || local == null || !selected.getOrDefault(r.policy(), Set.of()).contains(r.pod())) {
            return Set.of();
        }
        Remote remote = remote(r.remote());
        if (remote == null) {
            return Set.of();
        }
        Set<PolicyKey> out = new HashSet<>();
        PolicyRules.keys(p, local, PolicyKey.endpointId(local.podIP()), remote, out::add);
        if (p.audit()) {
            // where an enforced policy selects the pod, it alone decides: audit entries would only allow more
            out.removeIf(k -> enforced(r.pod(), k.direction() == PolicyKey.INGRESS ? Direction.INGRESS : Direction.EGRESS));
        }
        return out;
    }

    /** Whether some enforced (not audit-mode) policy selects local pod {@code pod} for {@code d}. */
    private boolean enforced(String pod, Direction d) {
        for (String policy : selectedBy.getOrDefault(pod, Set.of())) {
            NetworkPolicy np = policies.get(policy);
            if (!np.audit() && np.policyTypes().contains(d)) {
                return true;
            }
        }
        return false;
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
        int id = PolicyKey.endpointId(p.podIP());
        EndpointPolicy now = new EndpointPolicy(mode(p.fullName(), Direction.INGRESS), mode(p.fullName(), Direction.EGRESS));
        EndpointPolicy before = endpoints.view().getOrDefault(id, EndpointPolicy.NONE);
        endpoints.put(id, now);
        if ((before.ingress() == Mode.ENFORCE) != (now.ingress() == Mode.ENFORCE)
                || (before.egress() == Mode.ENFORCE) != (now.egress() == Mode.ENFORCE)) {
            // audit-mode policies' entries exist only where no enforced policy decides
            for (String policy : selectedBy.getOrDefault(p.fullName(), Set.of())) {
                NetworkPolicy np = policies.get(policy);
                if (np.audit()) {
                    remotesOf(np).forEach(remote -> recompute(new Reason(policy, p.fullName(), remote)));
                }
            }
        }
    }

    private Mode mode(String pod, Direction d) {
        if (enforced(pod, d)) {
            return Mode.ENFORCE;
        }
        for (String policy : selectedBy.getOrDefault(pod, Set.of())) {
            if (policies.get(policy).policyTypes().contains(d)) {
                return Mode.AUDIT;
            }
        }
        return Mode.OFF;
    }
}
