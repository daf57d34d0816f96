package dev.flows.collector.policy;

import java.util.Map;
import java.util.Set;

/**
 * What to write into the three policy maps to go from the programmed state to the new one: per
 * map, entries to put (new or changed value) and keys to delete. Written in the order policy
 * puts, ipcache puts, endpoint puts, then the deletes, no connection that both states allow is
 * denied in between: allow entries exist before an address or a pod starts to need them.
 */
public record PolicyDelta(
        Change<Ipv4Prefix, Integer> ipcache,
        Change<PolicyKey, PolicyValue> policy,
        Change<Integer, EndpointPolicy> endpoints) {

    /** The change to one map. */
    public record Change<K, V>(Map<K, V> puts, Set<K> deletes) {
        public int size() {
            return puts.size() + deletes.size();
        }
    }

    /** Entries written or deleted, over the three maps. */
    public int size() {
        return ipcache.size() + policy.size() + endpoints.size();
    }
}
