package dev.flows.collector.policy;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The programmed content of one BPF map, remembering what each touched key held before, so the
 * change to send is the difference, however often a key changed on the way (removed and put back
 * with the same value: nothing to send).
 */
final class TrackedMap<K, V> {
    private static final Object ABSENT = new Object();

    private final Map<K, V> content = new HashMap<>();
    private Map<K, Object> before = new LinkedHashMap<>();

    void put(K key, V value) {
        V old = content.put(key, value);
        before.putIfAbsent(key, old == null ? ABSENT : old);
    }

    void remove(K key) {
        if (content.containsKey(key)) {
            before.putIfAbsent(key, content.remove(key));
        }
    }

    V get(K key) {
        return content.get(key);
    }

    Map<K, V> view() {
        return Collections.unmodifiableMap(content);
    }

    /** What changed since the last call: keys to put (with their value) and keys to delete. */
    PolicyDelta.Change<K, V> drain() {
        Map<K, V> puts = new LinkedHashMap<>();
        Set<K> deletes = new LinkedHashSet<>();
        before.forEach((k, old) -> {
            V now = content.get(k);
            if (now == null) {
                if (old != ABSENT) {
                    deletes.add(k);
                }
            } else if (old == ABSENT || !Objects.equals(old, now)) {
                puts.put(k, now);
            }
        });
        // a new map, not clear(): clearing costs the capacity the first, full drain grew it to
        before = new LinkedHashMap<>();
        return new PolicyDelta.Change<>(Map.copyOf(puts), Set.copyOf(deletes));
    }
}
