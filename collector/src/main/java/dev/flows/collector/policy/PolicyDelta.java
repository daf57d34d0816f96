package dev.flows.collector.policy;

import dev.flows.observer.net.Ipv4Prefix;

import java.util.Map;
import java.util.Set;

/**
 * What to write into the three policy maps to go from the programmed state to the new one: per
 * map, entries to put (new or changed value) and keys to delete.
 *
 * <p>Write it in this order: policy puts, ipcache puts, endpoint puts, ipcache deletes, policy
 * deletes, endpoint deletes. Then no connection that both states allow is denied in between:
 * allow entries exist before an address or a pod starts to need them, and an address leaves a
 * prefix (back to the prefix around it) before that prefix's entries go. PolicyStateIncrementalTest
 * checks this at every stage.
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
