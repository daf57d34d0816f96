package dev.flows.collector.policy;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Index maps from a key to a set, whose empty sets are removed so an index never outgrows what it holds. */
final class MultiMaps {
    private MultiMaps() {}

    static <K, V> void add(Map<K, Set<V>> index, K key, V value) {
        index.computeIfAbsent(key, k -> new HashSet<>()).add(value);
    }

    static <K, V> void remove(Map<K, Set<V>> index, K key, V value) {
        Set<V> s = index.get(key);
        if (s != null && s.remove(value) && s.isEmpty()) {
            index.remove(key);
        }
    }
}
