package dev.flows.collector.policy;

import dev.flows.cluster.Namespace;
import dev.flows.cluster.NetworkPolicy;
import dev.flows.cluster.NetworkPolicy.Direction;
import dev.flows.cluster.NetworkPolicy.IpBlock;
import dev.flows.cluster.NetworkPolicy.Peer;
import dev.flows.cluster.NetworkPolicy.Port;
import dev.flows.cluster.NetworkPolicy.Rule;
import dev.flows.cluster.Pod;
import dev.flows.observer.net.Ipv4Prefix;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * What NetworkPolicy means, one local pod and one remote at a time: the single place that reads
 * selectors, ipBlocks and ports. {@link PolicyState} decides which (policy, pod, remote) to ask
 * about; this class answers with policy map keys.
 *
 * <p>Choices where Kubernetes leaves them to the implementation, as Cilium makes them: ipBlock
 * matches addresses outside the cluster only (pods and nodes have identities of their own); a
 * named port resolves against the destination pod's container ports, so on egress it resolves per
 * remote identity (pods with the same labels but different port numbers each add theirs), and it
 * never matches an ipBlock peer on egress, whose addresses have no container ports.
 */
final class PolicyRules {
    private PolicyRules() {}

    static boolean selects(NetworkPolicy p, Pod pod) {
        return p.namespace().equals(pod.namespace()) && p.podSelector().matches(pod.labels());
    }

    /** A namespace's labels as selectors see them: its own plus the name label. */
    static Map<String, String> namespaceLabels(String namespace, Map<String, String> declared) {
        Map<String, String> out = new HashMap<>(declared == null ? Map.of() : declared);
        out.put(Namespace.NAME_LABEL, namespace);
        return out;
    }

    static boolean peerSelects(String policyNamespace, Peer peer, Remote r) {
        if (peer.ipBlock() != null) {
            return false;
        }
        if (peer.namespaceSelector() == null) {
            return policyNamespace.equals(r.namespace()) && peer.podSelector().matches(r.labels());
        }
        return peer.namespaceSelector().matches(r.namespaceLabels())
                && (peer.podSelector() == null || peer.podSelector().matches(r.labels()));
    }

    /** Whether addresses that resolve to {@code prefix} in the ipcache are in the block. */
    static boolean ipBlockAllows(IpBlock b, Ipv4Prefix prefix) {
        if (!Ipv4Prefix.parse(b.cidr()).contains(prefix)) {
            return false;
        }
        for (String e : b.except()) {
            if (Ipv4Prefix.parse(e).contains(prefix)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a rule of this direction has a named port that must resolve per remote pod. */
    static boolean namedEgress(Direction d, Rule rule) {
        return d == Direction.EGRESS && rule.ports().stream().anyMatch(p -> p.name() != null);
    }

    /** The keys {@code p} allows for local pod {@code local} and {@code remote}. */
    static void keys(NetworkPolicy p, Pod local, int endpointId, Remote remote, Consumer<PolicyKey> out) {
        for (Direction d : Direction.values()) {
            int dir = PolicyKey.direction(d);
            for (Rule rule : p.rules(d)) {
                boolean everyPeer = rule.peers().isEmpty();
                boolean matches = everyPeer ? remote.isAny() : peerMatches(p.namespace(), rule, remote);
                if (rule.ports().isEmpty()) {
                    if (matches) {
                        out.accept(PolicyKey.anyProtocol(endpointId, dir, remote.identity()));
                    }
                    continue;
                }
                for (Port port : rule.ports()) {
                    int proto = PolicyKey.protocol(port.protocol());
                    if (port.name() == null) {
                        if (!matches) {
                            continue;
                        }
                        if (port.anyPort()) {
                            out.accept(PolicyKey.anyPort(endpointId, dir, remote.identity(), proto));
                        } else if (port.endPort() == 0) {
                            out.accept(PolicyKey.port(endpointId, dir, remote.identity(), proto, port.port()));
                        } else {
                            PolicyKey.portRange(endpointId, dir, remote.identity(), proto, port.port(), port.endPort(), out);
                        }
                    } else if (d == Direction.INGRESS) {
                        if (matches) {
                            named(local, port, n -> out.accept(PolicyKey.port(endpointId, dir, remote.identity(), proto, n)));
                        }
                    } else if (remote.isPods() && (everyPeer || matches)) {
                        // an egress named port is the remote's: every peer means every pod that has it
                        for (Pod pod : remote.pods()) {
                            named(pod, port, n -> out.accept(PolicyKey.port(endpointId, dir, remote.identity(), proto, n)));
                        }
                    }
                }
            }
        }
    }

    private static boolean peerMatches(String policyNamespace, Rule rule, Remote remote) {
        for (Peer peer : rule.peers()) {
            if (remote.isPods() ? peerSelects(policyNamespace, peer, remote)
                    : remote.cidr() != null && peer.ipBlock() != null && ipBlockAllows(peer.ipBlock(), remote.cidr())) {
                return true;
            }
        }
        return false;
    }

    private static void named(Pod pod, Port port, IntConsumer out) {
        for (Pod.ContainerPort cp : pod.ports()) {
            if (cp.name().equals(port.name()) && cp.protocol().equals(port.protocol())) {
                out.accept(cp.port());
            }
        }
    }
}
