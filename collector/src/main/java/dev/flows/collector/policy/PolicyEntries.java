package dev.flows.collector.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToIntFunction;

/**
 * The policy map with the reasons for each entry: which (policy, local pod, remote) allows it.
 * An entry lives while one reason does, and names the first of its policies by name, so the
 * outcome does not depend on the order changes came in.
 */
final class PolicyEntries {
    /** One policy applied to one local pod, about one remote identity. */
    record Reason(String policy, String pod, int remote) {}

    private final Map<Reason, Set<PolicyKey>> keys = new HashMap<>();
    private final Map<String, Set<Reason>> byPolicy = new HashMap<>();
    private final Map<String, Set<Reason>> byPod = new HashMap<>();
    private final Map<Integer, Set<Reason>> byRemote = new HashMap<>();
    private final Map<PolicyKey, TreeSet<String>> policiesOf = new HashMap<>();
    private final TrackedMap<PolicyKey, PolicyValue> map = new TrackedMap<>();
    private final ToIntFunction<String> policyIds;

    PolicyEntries(ToIntFunction<String> policyIds) {
        this.policyIds = policyIds;
    }

    TrackedMap<PolicyKey, PolicyValue> map() {
        return map;
    }

    /** Makes {@code now} the keys {@code r} allows, adding and removing entries as that changes them. */
    void set(Reason r, Set<PolicyKey> now) {
        Set<PolicyKey> was = keys.getOrDefault(r, Set.of());
        if (now.equals(was)) {
            return;
        }
        for (PolicyKey k : was) {
            if (!now.contains(k)) {
                TreeSet<String> policies = policiesOf.get(k);
                policies.remove(r.policy());
                if (policies.isEmpty()) {
                    policiesOf.remove(k);
                }
                refresh(k);
            }
        }
        for (PolicyKey k : now) {
            if (!was.contains(k)) {
                policiesOf.computeIfAbsent(k, x -> new TreeSet<>()).add(r.policy());
                refresh(k);
            }
        }
        if (now.isEmpty()) {
            keys.remove(r);
            MultiMaps.remove(byPolicy, r.policy(), r);
            MultiMaps.remove(byPod, r.pod(), r);
            MultiMaps.remove(byRemote, r.remote(), r);
        } else {
            keys.put(r, now);
            MultiMaps.add(byPolicy, r.policy(), r);
            MultiMaps.add(byPod, r.pod(), r);
            MultiMaps.add(byRemote, r.remote(), r);
        }
    }

    List<Reason> ofPolicy(String policy) {
        return new ArrayList<>(byPolicy.getOrDefault(policy, Set.of()));
    }

    List<Reason> ofPod(String pod) {
        return new ArrayList<>(byPod.getOrDefault(pod, Set.of()));
    }

    List<Reason> ofRemote(int remote) {
        return new ArrayList<>(byRemote.getOrDefault(remote, Set.of()));
    }

    private void refresh(PolicyKey k) {
        TreeSet<String> policies = policiesOf.get(k);
        if (policies == null) {
            map.remove(k);
        } else {
            map.put(k, new PolicyValue(policyIds.applyAsInt(policies.first())));
        }
    }
}
