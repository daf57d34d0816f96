package dev.flows.collector.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What became of the option that carries a service connection's frontend to its backend's node
 * (bpf/include/svcopt.h), counted by the kernel since the node's maps were pinned. The slots are
 * the twin of {@code enum svcopt_counter}; EventLayoutBtfTest checks them against BTF.
 *
 * @param added          client's node: requests that left with the option
 * @param noRoom         client's node: requests that left without it (beyond the MTU, GSO, no room)
 * @param named          backend's node: options read and removed, the connection names its service
 * @param unknownService backend's node: options naming a frontend this node does not have
 * @param malformed      backend's node: options of ours that could not be read or removed, left as is
 * @param foreign        backend's node: requests with other IPv4 options, left as is
 */
public record ServiceOptionCounters(long added, long noRoom, long named, long unknownService, long malformed, long foreign) {
    /** The pinned array map of the counters. */
    public static final String MAP = "flows_svc_opt";
    public static final int ADDED = 0, NO_ROOM = 1, NAMED = 2, UNKNOWN_SERVICE = 3, MALFORMED = 4, FOREIGN = 5;
    public static final int SLOTS = 6;

    /** Reads every slot of the map. */
    public static ServiceOptionCounters read(BpfMap map) {
        long[] v = new long[SLOTS];
        for (int slot = 0; slot < SLOTS; slot++) {
            byte[] key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(slot).array();
            byte[] value = map.get(key);
            v[slot] = value == null ? 0 : ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getLong();
        }
        return new ServiceOptionCounters(v[ADDED], v[NO_ROOM], v[NAMED], v[UNKNOWN_SERVICE], v[MALFORMED], v[FOREIGN]);
    }

    /**
     * Service connections whose backend's node could not name the service: the option did not
     * fit on the client's node, or the backend's node could not read it or find its frontend.
     */
    public long unnamed() {
        return noRoom + unknownService + malformed;
    }
}
