package dev.flows.collector.enrich;

import dev.flows.observer.events.ReservedIdentity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.Collection;

/**
 * Numeric security identities, Cilium style: one per distinct label set.
 *
 * <p>An identity is a hash of the canonical (sorted) label set into [{@link #MIN_ALLOCATED},
 * {@link #MAX_ALLOCATED}], so every node and every restart that sees the same cluster state
 * derives the same numbers without talking to each other. Collisions are resolved by probing
 * upwards, with label sets taken in sorted order, so the outcome is deterministic too.
 */
public final class Identities {
    public static final int UNKNOWN = ReservedIdentity.UNKNOWN.id();
    public static final int HOST = ReservedIdentity.HOST.id();
    public static final int WORLD = ReservedIdentity.WORLD.id();
    public static final int REMOTE_NODE = ReservedIdentity.REMOTE_NODE.id();
    public static final int MIN_ALLOCATED = 256;
    public static final int MAX_ALLOCATED = (1 << 24) - 1;

    private final Map<String, Integer> byCanonical;

    private Identities(Map<String, Integer> byCanonical) {
        this.byCanonical = byCanonical;
    }

    /** Allocates identities for all the given label sets (each a collection of "source:k=v"). */
    public static Identities allocate(Collection<? extends Collection<String>> labelSets) {
        SortedSet<String> canon = new TreeSet<>();
        for (Collection<String> set : labelSets) {
            canon.add(canonical(set));
        }
        Map<String, Integer> ids = new HashMap<>();
        Map<Integer, String> taken = new HashMap<>();
        for (String c : canon) {
            int id = hash(c);
            while (taken.containsKey(id)) {
                id = id == MAX_ALLOCATED ? MIN_ALLOCATED : id + 1;
            }
            taken.put(id, c);
            ids.put(c, id);
        }
        return new Identities(ids);
    }

    /** The identity of a label set given to {@link #allocate}, else its hash. */
    public int of(Collection<String> labels) {
        String c = canonical(labels);
        Integer id = byCanonical.get(c);
        return id != null ? id : hash(c);
    }

    static String canonical(Collection<String> labels) {
        return String.join(";", new TreeSet<>(labels));
    }

    static int hash(String canonical) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (d[i] & 0xff);
            }
            return MIN_ALLOCATED + (int) Long.remainderUnsigned(v, MAX_ALLOCATED - MIN_ALLOCATED + 1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }
}
