package dev.flows.collector.policy;

import dev.flows.cluster.NetworkPolicy.Peer;
import dev.flows.cluster.NetworkPolicy.Selector;
import dev.flows.cluster.Pod;
import dev.flows.collector.enrich.Enricher;
import dev.flows.collector.enrich.Identities;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The pods and namespaces {@link PolicyState} knows, indexed so that finding the pods a selector
 * picks looks at the pods that carry one of its labels, never at the whole cluster; and the
 * identity of each label set, held while a pod has it.
 */
final class ClusterIndex {
    private static final Identities HASHES = Identities.allocate(List.of());

    private final Map<String, Pod> pods = new HashMap<>();
    private final Map<String, Map<String, String>> declaredNamespaces = new HashMap<>();
    private final Map<String, Integer> podsPerNamespace = new HashMap<>();
    /** "ns" and "ns/key=value" (pod labels), "port:name" (named container ports) to pod names. */
    private final Map<String, Set<String>> podsByKey = new HashMap<>();
    /** "key=value" to the namespaces (declared, or holding pods) with that label. */
    private final Map<String, Set<String>> namespacesByLabel = new HashMap<>();
    private final Set<String> namespaces = new HashSet<>();

    private final IdAllocator<List<String>> identities = new IdAllocator<>(Identities.MIN_ALLOCATED, Identities.MAX_ALLOCATED);
    private final Map<String, Integer> identityOfPod = new HashMap<>();
    private final Map<Integer, Set<String>> podsByIdentity = new HashMap<>();
    private final Map<String, Set<Integer>> identitiesByNamespace = new HashMap<>();

    Pod pod(String fullName) {
        return pods.get(fullName);
    }

    int identity(Pod p) {
        return identityOfPod.get(p.fullName());
    }

    /** The identity of a label set (pod labels and namespace, as the enricher forms it), or null. */
    Integer identity(List<String> labels) {
        return identities.get(labels);
    }

    /** Adds a pod; returns its identity. */
    int add(Pod p) {
        List<String> labels = Enricher.podLabels(p);
        int id = identities.acquire(labels, HASHES.of(labels));
        pods.put(p.fullName(), p);
        identityOfPod.put(p.fullName(), id);
        MultiMaps.add(podsByIdentity, id, p.fullName());
        MultiMaps.add(identitiesByNamespace, p.namespace(), id);
        for (String key : podKeys(p)) {
            MultiMaps.add(podsByKey, key, p.fullName());
        }
        if (podsPerNamespace.merge(p.namespace(), 1, Integer::sum) == 1) {
            namespaceChanged(p.namespace(), namespaceLabels(p.namespace()), namespaceLabels(p.namespace()));
        }
        return id;
    }

    /** Removes a pod; returns true when it was the last with its identity, which is now free. */
    boolean remove(Pod p) {
        String name = p.fullName();
        pods.remove(name);
        int id = identityOfPod.remove(name);
        MultiMaps.remove(podsByIdentity, id, name);
        for (String key : podKeys(p)) {
            MultiMaps.remove(podsByKey, key, name);
        }
        Map<String, String> nsLabels = namespaceLabels(p.namespace());
        if (podsPerNamespace.merge(p.namespace(), -1, Integer::sum) == 0) {
            podsPerNamespace.remove(p.namespace());
            namespaceChanged(p.namespace(), nsLabels, namespaceLabels(p.namespace()));
        }
        boolean freed = identities.release(Enricher.podLabels(p));
        if (freed) {
            MultiMaps.remove(identitiesByNamespace, p.namespace(), id);
        }
        return freed;
    }

    /** Sets a namespace's labels, or forgets them (null); returns the labels selectors saw before. */
    Map<String, String> setNamespace(String ns, Map<String, String> labels) {
        Map<String, String> before = namespaceLabels(ns);
        if (labels == null) {
            declaredNamespaces.remove(ns);
        } else {
            declaredNamespaces.put(ns, labels);
        }
        namespaceChanged(ns, before, namespaceLabels(ns));
        return before;
    }

    Map<String, String> namespaceLabels(String ns) {
        return PolicyRules.namespaceLabels(ns, declaredNamespaces.get(ns));
    }

    Set<Integer> identitiesIn(String ns) {
        return identitiesByNamespace.getOrDefault(ns, Set.of());
    }

    /** The remote for a pod identity in use, or null. */
    Remote remote(int identity) {
        Set<String> names = podsByIdentity.get(identity);
        if (names == null || names.isEmpty()) {
            return null;
        }
        List<Pod> members = new ArrayList<>(names.size());
        for (String n : names) {
            members.add(pods.get(n));
        }
        Pod any = members.get(0);
        return Remote.pods(identity, any.namespace(), any.labels(), namespaceLabels(any.namespace()), members);
    }

    /** The pods a selector-based peer of a policy in {@code policyNamespace} selects. */
    List<Pod> selectedBy(String policyNamespace, Peer peer) {
        if (peer.ipBlock() != null) {
            return List.of();
        }
        if (peer.namespaceSelector() == null) {
            return matching(policyNamespace, peer.podSelector());
        }
        Selector nsSel = peer.namespaceSelector();
        Collection<String> candidates = nsSel.matchLabels().isEmpty() ? namespaces
                : namespacesByLabel.getOrDefault(firstLabel(nsSel), Set.of());
        List<Pod> out = new ArrayList<>();
        for (String ns : candidates) {
            if (nsSel.matches(namespaceLabels(ns))) {
                out.addAll(matching(ns, peer.podSelector() == null ? Selector.ALL : peer.podSelector()));
            }
        }
        return out;
    }

    /** Pods of {@code ns} whose labels {@code sel} matches. */
    List<Pod> matching(String ns, Selector sel) {
        String key = sel.matchLabels().isEmpty() ? ns : ns + "/" + firstLabel(sel);
        List<Pod> out = new ArrayList<>();
        for (String name : podsByKey.getOrDefault(key, Set.of())) {
            Pod p = pods.get(name);
            if (sel.matches(p.labels())) {
                out.add(p);
            }
        }
        return out;
    }

    List<Pod> withNamedPort(String name) {
        List<Pod> out = new ArrayList<>();
        for (String n : podsByKey.getOrDefault("port:" + name, Set.of())) {
            out.add(pods.get(n));
        }
        return out;
    }

    /** The index key of a selector: one of its matchLabels, the same one every time. */
    static String firstLabel(Selector sel) {
        Map.Entry<String, String> e = new TreeMap<>(sel.matchLabels()).firstEntry();
        return e.getKey() + "=" + e.getValue();
    }

    private static List<String> podKeys(Pod p) {
        List<String> keys = new ArrayList<>();
        keys.add(p.namespace());
        p.labels().forEach((k, v) -> keys.add(p.namespace() + "/" + k + "=" + v));
        for (Pod.ContainerPort cp : p.ports()) {
            if (!cp.name().isEmpty()) {
                keys.add("port:" + cp.name());
            }
        }
        return keys;
    }

    private void namespaceChanged(String ns, Map<String, String> before, Map<String, String> after) {
        before.forEach((k, v) -> MultiMaps.remove(namespacesByLabel, k + "=" + v, ns));
        namespaces.remove(ns);
        if (declaredNamespaces.containsKey(ns) || podsPerNamespace.containsKey(ns)) {
            namespaces.add(ns);
            after.forEach((k, v) -> MultiMaps.add(namespacesByLabel, k + "=" + v, ns));
        }
    }
}
