package dev.flows.collector.policy;

import dev.flows.observer.net.Ipv4Prefix;

import dev.flows.cluster.NetworkPolicy;
import dev.flows.cluster.NetworkPolicy.Direction;
import dev.flows.cluster.NetworkPolicy.Peer;
import dev.flows.cluster.NetworkPolicy.Rule;
import dev.flows.cluster.NetworkPolicy.Selector;
import dev.flows.cluster.Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The policies, filed so that a change asks only those it can matter to: by one label each
 * selector requires (a pod is looked up under all of its labels), and ipBlock rules by their cidr
 * (a new prefix is looked up under each prefix containing it). A candidate may still not match:
 * the caller evaluates it; a policy that could match is never missed.
 */
final class PolicyIndex {
    /** podSelector key ("ns/*", "ns/p/k=v") to the policies that apply to pods it may select. */
    private final Map<String, Set<String>> local = new HashMap<>();
    // peer key (as local, or across namespaces: "*/n/k=v", "*/p/k=v", "*/*") to the policies
    private final Map<String, Set<String>> peers = new HashMap<>();
    private final Map<Ipv4Prefix, Set<String>> ipBlocks = new HashMap<>();

    void add(NetworkPolicy p) {
        String name = p.fullName();
        MultiMaps.add(local, selectorKey(p.namespace(), p.podSelector()), name);
        peerKeys(p).forEach(k -> MultiMaps.add(peers, k, name));
        ipBlockCidrs(p).forEach(c -> MultiMaps.add(ipBlocks, c, name));
    }

    void remove(NetworkPolicy p) {
        String name = p.fullName();
        MultiMaps.remove(local, selectorKey(p.namespace(), p.podSelector()), name);
        peerKeys(p).forEach(k -> MultiMaps.remove(peers, k, name));
        ipBlockCidrs(p).forEach(c -> MultiMaps.remove(ipBlocks, c, name));
    }

    /** Policies whose podSelector may select {@code pod}. */
    Set<String> mayApplyTo(Pod pod) {
        List<String> keys = new ArrayList<>();
        keys.add(pod.namespace() + "/*");
        pod.labels().forEach((k, v) -> keys.add(pod.namespace() + "/p/" + k + "=" + v));
        return lookUp(local, keys);
    }

    /**
     * Policies with a peer that may select pods with {@code labels} in {@code ns}, the namespace
     * having any of {@code nsLabelSets} (before and after a relabelling, both matter).
     */
    Set<String> mayHaveAsPeer(String ns, Map<String, String> labels, List<Map<String, String>> nsLabelSets) {
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
        return lookUp(peers, keys);
    }

    /** Policies with an ipBlock whose cidr contains {@code prefix}. */
    Set<String> withIpBlockAround(Ipv4Prefix prefix) {
        Set<String> out = new TreeSet<>();
        for (int len = 0; len <= prefix.len(); len++) {
            out.addAll(ipBlocks.getOrDefault(new Ipv4Prefix(prefix.addr(), len), Set.of()));
        }
        return out;
    }

    /** Every prefix the ipcache needs for {@code p}: its ipBlocks' cidrs and excepts, once each. */
    static Set<Ipv4Prefix> ipBlockPrefixes(NetworkPolicy p) {
        Set<Ipv4Prefix> out = new LinkedHashSet<>(ipBlockCidrs(p));
        for (Peer peer : peers(p)) {
            if (peer.ipBlock() != null) {
                peer.ipBlock().except().forEach(e -> out.add(Ipv4Prefix.parse(e)));
            }
        }
        return out;
    }

    private static Set<Ipv4Prefix> ipBlockCidrs(NetworkPolicy p) {
        Set<Ipv4Prefix> out = new HashSet<>();
        for (Peer peer : peers(p)) {
            if (peer.ipBlock() != null) {
                out.add(Ipv4Prefix.parse(peer.ipBlock().cidr()));
            }
        }
        return out;
    }

    private static List<Peer> peers(NetworkPolicy p) {
        List<Peer> out = new ArrayList<>();
        for (Direction d : Direction.values()) {
            p.rules(d).forEach(r -> out.addAll(r.peers()));
        }
        return out;
    }

    private static String selectorKey(String ns, Selector sel) {
        return sel.matchLabels().isEmpty() ? ns + "/*" : ns + "/p/" + ClusterIndex.firstLabel(sel);
    }

    private static Set<String> peerKeys(NetworkPolicy p) {
        Set<String> keys = new HashSet<>();
        for (Direction d : Direction.values()) {
            for (Rule rule : p.rules(d)) {
                if (rule.peers().isEmpty() && PolicyRules.namedEgress(d, rule)) {
                    keys.add("*/*"); // resolves on every pod that has the port
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

    private static Set<String> lookUp(Map<String, Set<String>> index, List<String> keys) {
        Set<String> out = new TreeSet<>();
        for (String k : keys) {
            out.addAll(index.getOrDefault(k, Set.of()));
        }
        return out;
    }
}
