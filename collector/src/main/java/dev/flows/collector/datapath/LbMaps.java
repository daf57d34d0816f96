package dev.flows.collector.datapath;

import static dev.flows.collector.bpf.MapLayout.*;

import dev.flows.collector.bpf.BpfMap;
import dev.flows.collector.bpf.Datapath;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The service maps of lb.h, written and read in terms of frontends and backends. Keys and values
 * are laid out per {@link dev.flows.collector.bpf.MapLayout}. Order matters for a packet racing an
 * update: backends and the Maglev table are written before the frontend that counts them, and the
 * frontend is removed before its backends.
 */
public final class LbMaps implements ServiceMaps {
    private final BpfMap services;
    private final BpfMap backends;
    private final BpfMap revnat;
    private final BpfMap maglev;

    public LbMaps(Datapath dp) {
        this(dp.map(LB_SERVICES), dp.map(LB_BACKENDS), dp.map(LB_REVNAT), dp.map(LB_MAGLEV));
    }

    LbMaps(BpfMap services, BpfMap backends, BpfMap revnat, BpfMap maglev) {
        this.services = services;
        this.backends = backends;
        this.revnat = revnat;
        this.maglev = maglev;
    }

    /** A frontend as programmed: its id, backend count and flags. */
    public record Programmed(Frontend frontend, int id, int backendCount, boolean maglev) {}

    /**
     * Programs one frontend with its backends (slots 1..n). Slots beyond n left from an earlier
     * programming are removed after the frontend stops counting them.
     *
     * @param maglevTable backend slot per bucket (from {@link Maglev}), or null for random choice
     * @param previousCount how many slots were programmed before (0 for a new frontend)
     */
    @Override
    public void program(Frontend f, int id, List<Backend> list, short[] maglevTable, int previousCount) {
        for (int slot = 1; slot <= list.size(); slot++) {
            Backend b = list.get(slot - 1);
            backends.put(backendKey(id, slot), addrPort(b.address(), b.port()));
        }
        if (maglevTable != null) {
            ByteBuffer t = le(LB_MAGLEV_BYTES);
            for (int i = 0; i < MAGLEV_SIZE; i++) {
                t.putShort(2 * i, maglevTable[i]);
            }
            maglev.put(u32(id), t.array());
        }
        revnat.put(u32(id), addrPort(f.address(), f.port()));
        int flags = (f.nodePort() ? LB_F_NODEPORT : 0) | (maglevTable != null ? LB_F_MAGLEV : 0);
        services.put(serviceKey(f), le(LB_SVC_SIZE).putInt(LB_SVC_ID, id)
                .putShort(LB_SVC_BACKEND_COUNT, (short) list.size()).putShort(LB_SVC_FLAGS, (short) flags).array());
        for (int slot = list.size() + 1; slot <= previousCount; slot++) {
            backends.delete(backendKey(id, slot));
        }
        if (maglevTable == null) {
            maglev.delete(u32(id));
        }
    }

    /**
     * Removes a frontend. The rev-NAT entry stays: replies of connections opened before still need
     * it (ids are never reused, see ServiceProgrammer); ConntrackSweeper frees it once no
     * connection refers to it.
     */
    @Override
    public void remove(Frontend f, int id, int count) {
        services.delete(serviceKey(f));
        for (int slot = 1; slot <= count; slot++) {
            backends.delete(backendKey(id, slot));
        }
        maglev.delete(u32(id));
    }

    /** Every programmed frontend, for a restarted collector to adopt. */
    @Override
    public List<Programmed> readAll() {
        List<Programmed> out = new ArrayList<>();
        services.forEach((k, v) -> {
            ByteBuffer key = le(k);
            ByteBuffer val = le(v);
            int flags = val.getShort(LB_SVC_FLAGS) & 0xffff;
            Frontend f = new Frontend(key.order(ByteOrder.BIG_ENDIAN).getInt(LB_KEY_ADDR),
                    key.order(ByteOrder.nativeOrder()).getShort(LB_KEY_PORT) & 0xffff, key.get(LB_KEY_PROTO) & 0xff,
                    (flags & LB_F_NODEPORT) != 0);
            out.add(new Programmed(f, val.getInt(LB_SVC_ID), val.getShort(LB_SVC_BACKEND_COUNT) & 0xffff,
                    (flags & LB_F_MAGLEV) != 0));
        });
        return out;
    }

    /** The backends programmed for a frontend id, slots 1..count (a missing slot is skipped). */
    @Override
    public List<Backend> backends(int id, int count) {
        List<Backend> out = new ArrayList<>();
        for (int slot = 1; slot <= count; slot++) {
            byte[] v = backends.get(backendKey(id, slot));
            if (v != null) {
                ByteBuffer b = ByteBuffer.wrap(v);
                out.add(new Backend(b.getInt(LB_BACKEND_ADDR), b.order(ByteOrder.nativeOrder()).getShort(LB_BACKEND_PORT) & 0xffff));
            }
        }
        return out;
    }

    static byte[] serviceKey(Frontend f) {
        ByteBuffer b = ByteBuffer.allocate(LB_KEY_SIZE);
        b.putInt(LB_KEY_ADDR, f.address());
        b.order(ByteOrder.nativeOrder()).putShort(LB_KEY_PORT, (short) f.port()).put(LB_KEY_PROTO, (byte) f.protocol());
        return b.array();
    }

    private static byte[] backendKey(int id, int slot) {
        return le(LB_BKEY_SIZE).putInt(LB_BKEY_SERVICE_ID, id).putInt(LB_BKEY_SLOT, slot).array();
    }

    private static byte[] addrPort(int address, int port) {
        ByteBuffer b = ByteBuffer.allocate(LB_BACKEND_SIZE);
        b.putInt(LB_BACKEND_ADDR, address);
        b.order(ByteOrder.nativeOrder()).putShort(LB_BACKEND_PORT, (short) port);
        return b.array();
    }

    private static byte[] u32(int v) {
        return le(4).putInt(0, v).array();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }
}
