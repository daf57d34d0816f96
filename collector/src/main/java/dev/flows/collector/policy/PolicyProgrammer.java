package dev.flows.collector.policy;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Namespace;
import dev.flows.cluster.NetworkPolicy;
import dev.flows.cluster.NetworkPolicy.Direction;
import dev.flows.cluster.Pod;
import dev.flows.collector.enrich.PolicyNames;
import dev.flows.proto.flow.Policy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Keeps the policy maps of this node equal to the cluster state: adopts what a previous collector
 * left pinned (reconcile, nothing flushed), then turns each new cluster state into the per-object
 * changes of {@link PolicyState} (pods, namespaces and policies added, changed or removed), each
 * written as soon as it is known. Also names policies for the enrich stage, from a snapshot swapped
 * after each change.
 *
 * <p>{@link #apply} runs on one thread at a time; {@link #byId} and {@link #selecting} from any.
 */
public final class PolicyProgrammer implements PolicyNames {
    private final String localNode;
    private final PolicySink maps;
    private final boolean auditAll;
    private PolicyState state;
    private ClusterState applied;
    private volatile Names names;

    /** Policy protos by id, and denials' policies by local pod address, per direction. */
    private record Names(Map<Integer, Policy> byId, Map<String, List<Policy>> egress, Map<String, List<Policy>> ingress) {}

    /**
     * Programs {@code cluster} over whatever the pinned maps hold.
     *
     * @param auditAll every policy in audit mode (--policy-audit-mode), whatever its annotation says
     */
    public static PolicyProgrammer adopt(PolicySink maps, ClusterState cluster, String localNode, boolean auditAll) {
        PolicyProgrammer p = new PolicyProgrammer(maps, localNode, auditAll);
        cluster = p.view(cluster);
        p.state = PolicyState.of(cluster, localNode);
        p.state.drain();
        p.applied = cluster;
        maps.reconcile(p.state);
        p.names = p.snapshot();
        return p;
    }

    private PolicyProgrammer(PolicySink maps, String localNode, boolean auditAll) {
        this.maps = maps;
        this.localNode = localNode;
        this.auditAll = auditAll;
    }

    /** The cluster as this node enforces it. */
    private ClusterState view(ClusterState cluster) {
        if (!auditAll) {
            return cluster;
        }
        return new ClusterState(cluster.nodes(), cluster.namespaces(), cluster.pods(), cluster.services(),
                cluster.policies().stream().map(NetworkPolicy::audited).toList(), cluster.endpointSlices());
    }

    /**
     * Moves the maps to {@code cluster}. A change of the node list rebuilds the state and
     * reconciles (node addresses are not incremental in PolicyState).
     *
     * @return map entries written or deleted
     */
    public int apply(ClusterState cluster) {
        cluster = view(cluster);
        int written = 0;
        if (!cluster.nodes().equals(applied.nodes())) {
            state = PolicyState.of(cluster, localNode);
            state.drain();
            written = state.ipcache().size() + state.policyMap().size() + state.endpoints().size() + maps.reconcile(state);
        } else {
            // namespaces first (labels pods and selectors depend on), then pods, then policies
            written += diff(applied.namespaces(), cluster.namespaces(), Namespace::name,
                    state::putNamespace, ns -> state.removeNamespace(ns.name()));
            written += diff(applied.pods(), cluster.pods(), Pod::fullName,
                    state::putPod, p -> state.removePod(p.namespace(), p.name()));
            written += diff(applied.policies(), cluster.policies(), NetworkPolicy::fullName,
                    state::putPolicy, p -> state.removePolicy(p.namespace(), p.name()));
        }
        applied = cluster;
        names = snapshot();
        return written;
    }

    private <T> int diff(List<T> before, List<T> after, Function<T, String> key,
            Function<T, PolicyDelta> put, Function<T, PolicyDelta> remove) {
        Map<String, T> old = before.stream().collect(Collectors.toMap(key, t -> t, (a, b) -> b));
        int written = 0;
        for (T t : after) {
            T was = old.remove(key.apply(t));
            if (!Objects.equals(was, t)) {
                written += write(put.apply(t));
            }
        }
        for (T gone : old.values()) {
            written += write(remove.apply(gone));
        }
        return written;
    }

    private int write(PolicyDelta d) {
        maps.write(d);
        return d.size();
    }

    private Names snapshot() {
        Map<Integer, Policy> byId = new HashMap<>();
        state.policyNames().forEach((id, name) -> byId.put(id, policy(name)));
        return new Names(byId, protos(state.selecting(Direction.EGRESS)), protos(state.selecting(Direction.INGRESS)));
    }

    private static Map<String, List<Policy>> protos(Map<String, List<String>> byAddress) {
        Map<String, List<Policy>> out = new HashMap<>();
        byAddress.forEach((addr, policies) -> {
            List<Policy> l = new ArrayList<>();
            policies.forEach(n -> l.add(policy(n)));
            out.put(addr, List.copyOf(l));
        });
        return out;
    }

    private static Policy policy(String namespaceAndName) {
        int slash = namespaceAndName.indexOf('/');
        return Policy.newBuilder().setNamespace(namespaceAndName.substring(0, slash))
                .setName(namespaceAndName.substring(slash + 1)).setKind("NetworkPolicy").build();
    }

    @Override
    public Policy byId(int id) {
        return names.byId().get(id);
    }

    @Override
    public List<Policy> selecting(String podAddress, boolean egress) {
        return (egress ? names.egress() : names.ingress()).getOrDefault(podAddress, List.of());
    }
}
