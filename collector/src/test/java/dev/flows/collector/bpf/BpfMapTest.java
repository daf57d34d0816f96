package dev.flows.collector.bpf;

import static org.junit.jupiter.api.Assertions.*;

import dev.flows.testing.BpfGate;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A walk over a real map visits every entry once with its value: in batches for the hash and LRU
 * maps (more entries than one batch holds, so the walk resumes from the kernel's position), key by
 * key for the LPM trie, which has no batch reads.
 */
@Tag("bpf")
class BpfMapTest {
    private Path pins;
    private Datapath dp;

    @BeforeEach
    void open() {
        BpfGate.require();
        pins = TestPins.newDir();
        dp = Datapath.open(pins, 1 << 16, BpfConfig.DEFAULTS);
    }

    @AfterEach
    void close() {
        if (dp != null) dp.close();
        Datapath.removePins(pins);
    }

    @Test
    void aWalkOverALruHashSeesEveryEntryOnceAcrossBatches() {
        assertWalkSeesAll(dp.map(MapLayout.CT), 5_000);
    }

    @Test
    void aWalkOverAHashSeesEveryEntryOnceAcrossBatches() {
        assertWalkSeesAll(dp.map(MapLayout.LB_BACKENDS), 3_000);
    }

    @Test
    void aWalkOverAnLpmTrieSeesEveryEntryOnce() {
        BpfMap trie = dp.map(MapLayout.IPCACHE);
        Map<String, byte[]> put = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            byte[] key = ByteBuffer.allocate(trie.keySize()).order(ByteOrder.nativeOrder())
                    .putInt(32).put((byte) 10).put((byte) 9).put((byte) (i >> 8)).put((byte) i).array();
            byte[] value = value(trie.valueSize(), i);
            trie.put(key, value);
            put.put(hex(key), value);
        }
        assertEquals(put.keySet(), walk(trie, put).keySet());
    }

    private static void assertWalkSeesAll(BpfMap map, int entries) {
        Map<String, byte[]> put = new HashMap<>();
        for (int i = 0; i < entries; i++) {
            byte[] key = value(map.keySize(), i + 1);
            byte[] value = value(map.valueSize(), i * 7 + 3);
            map.put(key, value);
            put.put(hex(key), value);
        }
        assertEquals(put.keySet(), walk(map, put).keySet());
    }

    /** Walks the map; fails on a key seen twice or a value not the one put. */
    private static Map<String, byte[]> walk(BpfMap map, Map<String, byte[]> put) {
        Map<String, byte[]> seen = new HashMap<>();
        map.forEach((k, v) -> {
            String key = hex(k);
            assertNull(seen.put(key, v), map.name() + ": key " + key + " visited twice");
            assertArrayEquals(put.get(key), v, map.name() + ": value of " + key);
        });
        return seen;
    }

    private static byte[] value(int size, int n) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        for (int i = 0; i + Integer.BYTES <= size; i += Integer.BYTES) {
            b.putInt(i, n + i);
        }
        return b.array();
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
