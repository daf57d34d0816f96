package dev.flows.collector.datapath;

import dev.flows.collector.bpf.MapLayout;
import java.util.List;

/**
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016): a lookup table of
 * {@link MapLayout#MAGLEV_SIZE} buckets, each naming a backend slot, filled so that backends get
 * near-equal shares and adding or removing one backend moves few buckets. The datapath hashes a
 * connection's tuple into a bucket (lb.h lb_tuple_hash); {@link #tupleHash} is its Java twin.
 */
public final class Maglev {
    private Maglev() {}

    /**
     * The table for backends in slot order (slot = index + 1). Each backend's preference order
     * comes from its address and port only, so a backend keeps its buckets when others change.
     */
    public static short[] table(List<Backend> backends) {
        int m = MapLayout.MAGLEV_SIZE;
        int n = backends.size();
        short[] table = new short[m];
        if (n == 0) {
            return table;
        }
        int[] offset = new int[n];
        int[] skip = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            Backend b = backends.get(i);
            int h = mix(mix(b.address() ^ 0x5bd1e995) ^ b.port());
            offset[i] = Integer.remainderUnsigned(h, m);
            skip[i] = Integer.remainderUnsigned(mix(h ^ 0x27d4eb2f), m - 1) + 1;
        }
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                int c;
                do {
                    c = (int) ((offset[i] + (long) next[i] * skip[i]) % m);
                    next[i]++;
                } while (table[c] != 0);
                table[c] = (short) (i + 1);
                if (++filled == m) {
                    return table;
                }
            }
        }
    }

    /** lb_tuple_hash of lb.h: addresses big-endian ints as read from the packet, ports host order. */
    public static int tupleHash(int saddr, int daddr, int sport, int dport, int protocol) {
        // The kernel reads the address bytes as a host-order u32.
        boolean little = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
        int s = little ? Integer.reverseBytes(saddr) : saddr;
        int d = little ? Integer.reverseBytes(daddr) : daddr;
        int h = mix(s ^ 0x9e3779b9);
        h = mix(h ^ d);
        h = mix(h ^ ((sport << 16) | dport));
        return mix(h ^ protocol);
    }

    /** The bucket of a tuple hash. */
    public static int bucket(int tupleHash) {
        return Integer.remainderUnsigned(tupleHash, MapLayout.MAGLEV_SIZE);
    }

    static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
