package dev.flows.collector.policy;

import dev.flows.observer.net.Ipv4Prefix;

import dev.flows.collector.enrich.Identities;
import java.util.TreeSet;
import java.util.function.IntConsumer;

/**
 * The CIDR identities of the ipBlock prefixes in use, one per distinct prefix, counted by how many
 * rules name it. 0.0.0.0/0 is world and takes none. An identity is derived from its prefix (then
 * probed upwards), so every node numbers the same prefixes alike.
 */
final class CidrIdentities {
    private final IdAllocator<Ipv4Prefix> ids =
            new IdAllocator<>(PolicyMapLayout.CIDR_IDENTITY_MIN, PolicyMapLayout.CIDR_IDENTITY_MAX);
    private final TreeSet<Ipv4Prefix> prefixes = new TreeSet<>();

    /** One more rule names {@code prefix}. Its identity if the prefix is new, else -1 (and -1 for world). */
    int acquire(Ipv4Prefix prefix) {
        if (prefix.len() == 0) {
            return -1;
        }
        boolean known = ids.get(prefix) != null;
        int id = ids.acquire(prefix, PolicyMapLayout.CIDR_IDENTITY_MIN
                + Math.floorMod((prefix.addr() * 0x9E3779B1) ^ (prefix.len() * 0x85EBCA6B), 1 << 24));
        if (known) {
            return -1;
        }
        prefixes.add(prefix);
        return id;
    }

    /** One rule fewer names {@code prefix}. Its identity if no rule names it any more, else -1. */
    int release(Ipv4Prefix prefix) {
        if (prefix.len() == 0) {
            return -1;
        }
        int id = ids.get(prefix);
        if (!ids.release(prefix)) {
            return -1;
        }
        prefixes.remove(prefix);
        return id;
    }

    /** The identity of a prefix in use (world for 0.0.0.0/0), or null. */
    Integer of(Ipv4Prefix prefix) {
        return prefix.len() == 0 ? Integer.valueOf(Identities.WORLD) : ids.get(prefix);
    }

    /** The prefix of a CIDR identity, or null if it is not in use. */
    Ipv4Prefix owner(int id) {
        return ids.owner(id);
    }

    /** The identities of the prefixes in use that lie inside {@code block} (itself included). */
    void inside(Ipv4Prefix block, IntConsumer out) {
        for (Ipv4Prefix p : prefixes.subSet(block, true, new Ipv4Prefix((int) block.end(), 32), true)) {
            out.accept(ids.get(p));
        }
    }
}
