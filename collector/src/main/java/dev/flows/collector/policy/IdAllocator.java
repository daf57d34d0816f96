package dev.flows.collector.policy;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Numbers for names within a range, held while in use: a name gets its preferred number (a hash,
 * so every node and every restart that sees the same names mostly agrees) or, when another name
 * holds that, the next free one above it. Counted references: the number is freed with the last.
 */
final class IdAllocator<K> {
    private final int min;
    private final int max;
    private final Map<K, Integer> ids = new HashMap<>();
    private final Map<Integer, K> owners = new HashMap<>();
    private final Map<K, Integer> refs = new HashMap<>();

    IdAllocator(int min, int max) {
        this.min = min;
        this.max = max;
    }

    /** Takes a reference on {@code key}, giving it a number if it has none. */
    int acquire(K key, int preferred) {
        refs.merge(key, 1, Integer::sum);
        Integer id = ids.get(key);
        if (id != null) {
            return id;
        }
        if (owners.size() > max - min) {
            throw new IllegalStateException("all " + (max - min + 1) + " numbers from " + min + " are in use");
        }
        int n = preferred;
        while (owners.containsKey(n)) {
            n = n == max ? min : n + 1;
        }
        ids.put(key, n);
        owners.put(n, key);
        return n;
    }

    /** Drops a reference; true when it was the last and the number is free again. */
    boolean release(K key) {
        Integer left = refs.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
        if (left != null || !ids.containsKey(key)) {
            return false;
        }
        owners.remove(ids.remove(key));
        return true;
    }

    /** The number of {@code key}, or null when it has none. */
    Integer get(K key) {
        return ids.get(key);
    }

    K owner(int id) {
        return owners.get(id);
    }

    /** Every name and its number (a live view). */
    Map<K, Integer> all() {
        return Collections.unmodifiableMap(ids);
    }
}
