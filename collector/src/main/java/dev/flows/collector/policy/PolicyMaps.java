package dev.flows.collector.policy;

import dev.flows.collector.bpf.BpfMap;
import dev.flows.collector.bpf.Datapath;
import dev.flows.collector.bpf.MapLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The three pinned policy maps of policy.h, written a {@link PolicyDelta} at a time in the order
 * the delta documents, so a connection allowed before and after a change is never denied while
 * it is written.
 */
public final class PolicyMaps implements PolicySink {
    private final BpfMap ipcache;
    private final BpfMap policy;
    private final BpfMap endpoints;

    public PolicyMaps(Datapath dp) {
        this(dp.map(MapLayout.IPCACHE), dp.map(MapLayout.POLICY), dp.map(MapLayout.ENDPOINTS));
    }

    PolicyMaps(BpfMap ipcache, BpfMap policy, BpfMap endpoints) {
        this.ipcache = ipcache;
        this.policy = policy;
        this.endpoints = endpoints;
    }

    /** Writes one change: policy puts, ipcache puts, endpoint puts, then the deletes in that order. */
    @Override
    public void write(PolicyDelta d) {
        d.policy().puts().forEach((k, v) -> policy.put(PolicyMapLayout.policyKey(k), PolicyMapLayout.policyValue(v)));
        d.ipcache().puts().forEach((k, v) -> ipcache.put(PolicyMapLayout.ipcacheKey(k), PolicyMapLayout.ipcacheValue(v)));
        d.endpoints().puts().forEach((k, v) -> endpoints.put(PolicyMapLayout.endpointKey(k), PolicyMapLayout.endpointValue(v)));
        d.ipcache().deletes().forEach(k -> ipcache.delete(PolicyMapLayout.ipcacheKey(k)));
        d.policy().deletes().forEach(k -> policy.delete(PolicyMapLayout.policyKey(k)));
        d.endpoints().deletes().forEach(k -> endpoints.delete(PolicyMapLayout.endpointKey(k)));
    }

    /**
     * Makes the maps (possibly left by a previous collector) hold exactly {@code state}: every
     * entry of the state is written first, in delta order, then the entries it does not have are
     * deleted. Entries both have are rewritten with the same value, so nothing allowed before and
     * after is denied meanwhile.
     *
     * @return how many stale entries were deleted
     */
    @Override
    public int reconcile(PolicyState state) {
        write(new PolicyDelta(
                new PolicyDelta.Change<>(state.ipcache(), Set.of()),
                new PolicyDelta.Change<>(state.policyMap(), Set.of()),
                new PolicyDelta.Change<>(state.endpoints(), Set.of())));
        return stale(ipcache, state.ipcache(), PolicyMapLayout::ipcacheKey)
                + stale(policy, state.policyMap(), PolicyMapLayout::policyKey)
                + stale(endpoints, state.endpoints(), PolicyMapLayout::endpointKey);
    }

    private static <K> int stale(BpfMap map, Map<K, ?> wanted, Function<K, byte[]> encode) {
        Set<ByteBuffer> keep = new HashSet<>();
        wanted.keySet().forEach(k -> keep.add(ByteBuffer.wrap(encode.apply(k))));
        List<byte[]> gone = new ArrayList<>(); // deleted after the walk: deleting during it would restart it
        map.forEach((k, v) -> {
            if (!keep.contains(ByteBuffer.wrap(k))) {
                gone.add(k);
            }
        });
        gone.forEach(map::delete);
        return gone.size();
    }
}
