package dev.flows.collector.bpf;

import java.util.function.BiConsumer;
import jnr.ffi.Pointer;

/**
 * One pinned map of the datapath, read and written from Java with raw key and value bytes laid
 * out as the C structs of bpf/include (see {@link MapLayout}). Each call is one syscall; buffers
 * are per call, so one map may be used from several threads.
 */
public final class BpfMap {
    private static final int ENOENT = 2;
    private static final int EEXIST = 17;
    /**
     * Entries per batch of a walk. A hash map's batch ends at a bucket's end, and the kernel
     * refuses (ENOSPC) a bucket larger than the batch: far more than any bucket holds.
     */
    private static final int BATCH = 1024;

    private final String name;
    private final int fd;
    private final int keySize;
    private final int valueSize;
    private final boolean batched;

    BpfMap(String name, int fd, int type, int keySize, int valueSize) {
        this.name = name;
        this.fd = fd;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.batched = type == NativeLayout.BPF_MAP_TYPE_HASH || type == NativeLayout.BPF_MAP_TYPE_LRU_HASH
                || type == NativeLayout.BPF_MAP_TYPE_ARRAY;
    }

    public String name() {
        return name;
    }

    public int keySize() {
        return keySize;
    }

    public int valueSize() {
        return valueSize;
    }

    /** Inserts or replaces. */
    public void put(byte[] key, byte[] value) {
        Pointer k = pointer(key, keySize, "key");
        Pointer v = pointer(value, valueSize, "value");
        Native.check(Native.bpf().bpf_map_update_elem(fd, k, v, NativeLayout.BPF_ANY), "updating " + name);
    }

    /** Inserts unless the key exists; returns false when it did. */
    public boolean putIfAbsent(byte[] key, byte[] value) {
        Pointer k = pointer(key, keySize, "key");
        Pointer v = pointer(value, valueSize, "value");
        int ret = Native.bpf().bpf_map_update_elem(fd, k, v, NativeLayout.BPF_NOEXIST);
        if (ret == -EEXIST) {
            return false;
        }
        Native.check(ret, "inserting into " + name);
        return true;
    }

    /** Deletes; returns false when the key was not there. */
    public boolean delete(byte[] key) {
        int ret = Native.bpf().bpf_map_delete_elem(fd, pointer(key, keySize, "key"));
        if (ret == -ENOENT) {
            return false;
        }
        Native.check(ret, "deleting from " + name);
        return true;
    }

    /** The value, or null when the key is not there. */
    public byte[] get(byte[] key) {
        Pointer v = Native.alloc(valueSize);
        int ret = Native.bpf().bpf_map_lookup_elem(fd, pointer(key, keySize, "key"), v);
        if (ret == -ENOENT) {
            return null;
        }
        Native.check(ret, "reading " + name);
        byte[] out = new byte[valueSize];
        v.get(0, out, 0, valueSize);
        return out;
    }

    /**
     * Visits every entry. Hash and array maps are read {@value #BATCH} entries a syscall (the
     * conntrack sweep walks tens of thousands of entries, two syscalls each by key); other kinds
     * key by key. Keys deleted meanwhile (by us or the kernel's LRU) are skipped; a walk by key that
     * loses its place restarts from the first key, as the kernel's iteration does.
     */
    public void forEach(BiConsumer<byte[], byte[]> visitor) {
        if (batched) {
            forEachInBatches(visitor);
        } else {
            forEachByKey(visitor);
        }
    }

    private void forEachInBatches(BiConsumer<byte[], byte[]> visitor) {
        // the position between batches: a bucket number for hash maps, a key for arrays
        int position = Math.max(keySize, Integer.BYTES);
        Pointer from = null;
        Pointer to = Native.alloc(position);
        Pointer spare = Native.alloc(position);
        Pointer keys = Native.alloc(keySize * BATCH);
        Pointer values = Native.alloc(valueSize * BATCH);
        Pointer count = Native.alloc(Integer.BYTES);
        while (true) {
            count.putInt(0, BATCH);
            int ret = Native.bpf().bpf_map_lookup_batch(fd, from, to, keys, values, count, null);
            if (ret != -ENOENT) {
                Native.check(ret, "walking " + name);
            }
            int n = Math.min(count.getInt(0), BATCH); // the last batch comes with ENOENT
            for (int i = 0; i < n; i++) {
                byte[] key = new byte[keySize];
                byte[] value = new byte[valueSize];
                keys.get((long) i * keySize, key, 0, keySize);
                values.get((long) i * valueSize, value, 0, valueSize);
                visitor.accept(key, value);
            }
            if (ret == -ENOENT) {
                return;
            }
            Pointer next = to;
            to = from == null ? spare : from;
            from = next;
        }
    }

    private void forEachByKey(BiConsumer<byte[], byte[]> visitor) {
        Pointer prev = null;
        Pointer next = Native.alloc(keySize);
        Pointer value = Native.alloc(valueSize);
        while (true) {
            int ret = Native.bpf().bpf_map_get_next_key(fd, prev, next);
            if (ret == -ENOENT) {
                return;
            }
            Native.check(ret, "walking " + name);
            byte[] key = new byte[keySize];
            next.get(0, key, 0, keySize);
            if (Native.bpf().bpf_map_lookup_elem(fd, next, value) == 0) {
                byte[] v = new byte[valueSize];
                value.get(0, v, 0, valueSize);
                visitor.accept(key, v);
            }
            if (prev == null) {
                prev = Native.alloc(keySize);
            }
            prev.put(0, key, 0, keySize);
        }
    }

    private Pointer pointer(byte[] bytes, int size, String what) {
        if (bytes.length != size) {
            throw new IllegalArgumentException(name + ": " + what + " must be " + size + " bytes, got " + bytes.length);
        }
        Pointer p = Native.alloc(size);
        p.put(0, bytes, 0, size);
        return p;
    }
}
