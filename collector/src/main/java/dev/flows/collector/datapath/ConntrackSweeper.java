package dev.flows.collector.datapath;

import static dev.flows.collector.bpf.MapLayout.*;

import dev.flows.collector.bpf.BpfMap;
import dev.flows.collector.bpf.Datapath;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Removes what the kernel's LRU would keep: connection and NAT entries past their expiry (the
 * datapath already treats them as absent, but they hold a slot until evicted), and rev-NAT entries
 * of frontends that are gone once no connection refers to them any more. Runs on the collector's
 * timer; every pass walks the maps once and deletes after the walk, so the walk never loses its
 * place.
 */
public final class ConntrackSweeper {
    private final BpfMap ct;
    private final BpfMap nat;
    private final BpfMap revnat;
    private final LongSupplier bootNanos;
    private final Supplier<Set<Integer>> programmedIds;
    private final AtomicLong expired = new AtomicLong();

    /** What one pass found. */
    public record Sweep(int connections, int connectionsExpired, int natExpired, int revNatFreed) {}

    /**
     * @param bootNanos the clock of the entries' expires_ns (CLOCK_BOOTTIME)
     * @param programmedIds frontend ids in use, whose rev-NAT entries always stay
     */
    public ConntrackSweeper(Datapath dp, LongSupplier bootNanos, Supplier<Set<Integer>> programmedIds) {
        this(dp.map(CT), dp.map(NAT), dp.map(LB_REVNAT), bootNanos, programmedIds);
    }

    ConntrackSweeper(BpfMap ct, BpfMap nat, BpfMap revnat, LongSupplier bootNanos, Supplier<Set<Integer>> programmedIds) {
        this.ct = ct;
        this.nat = nat;
        this.revnat = revnat;
        this.bootNanos = bootNanos;
        this.programmedIds = programmedIds;
    }

    /** One pass over the connection, NAT and rev-NAT maps. */
    public Sweep sweep() {
        long now = bootNanos.getAsLong();
        List<byte[]> dead = new ArrayList<>();
        Set<Integer> referenced = new HashSet<>();
        int[] live = {0};
        ct.forEach((k, v) -> {
            ByteBuffer e = ByteBuffer.wrap(v).order(ByteOrder.nativeOrder());
            if (e.getLong(CT_EXPIRES_NS) < now) {
                dead.add(k);
            } else {
                live[0]++;
                if ((e.get(CT_FLAGS) & (CT_F_DNAT | CT_F_SERVICE)) != 0) {
                    referenced.add(e.getInt(CT_REV_NAT_INDEX));
                }
            }
        });
        int ctExpired = deleteAll(ct, dead);
        dead.clear();
        nat.forEach((k, v) -> {
            if (ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getLong(NAT_EXPIRES_NS) < now) {
                dead.add(k);
            }
        });
        int natExpired = deleteAll(nat, dead);
        dead.clear();
        revnat.forEach((k, v) -> {
            if (!referenced.contains(ByteBuffer.wrap(k).order(ByteOrder.nativeOrder()).getInt(0))) {
                dead.add(k);
            }
        });
        // Read after the walk: an id programmed meanwhile is in it (ids are never reused, and the
        // programmer publishes an id only once its rev-NAT entry is written).
        Set<Integer> programmed = programmedIds.get();
        dead.removeIf(k -> programmed.contains(ByteBuffer.wrap(k).order(ByteOrder.nativeOrder()).getInt(0)));
        int freed = deleteAll(revnat, dead);
        expired.addAndGet(ctExpired + natExpired);
        return new Sweep(live[0], ctExpired, natExpired, freed);
    }

    /** Connection and NAT entries removed since start. */
    public long expiredTotal() {
        return expired.get();
    }

    private static int deleteAll(BpfMap map, List<byte[]> keys) {
        int n = 0;
        for (byte[] k : keys) {
            if (map.delete(k)) {
                n++;
            }
        }
        return n;
    }
}
