package dev.flows.collector.datapath;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** In-memory service maps that record every write, to see what an apply touched. */
final class FakeServiceMaps implements ServiceMaps {
    final Map<Frontend, LbMaps.Programmed> frontends = new LinkedHashMap<>();
    final Map<Integer, List<Backend>> backends = new LinkedHashMap<>();
    final List<String> writes = new ArrayList<>();

    @Override
    public void program(Frontend f, int id, List<Backend> list, short[] maglevTable, int previousCount) {
        LbMaps.Programmed old = frontends.get(f);
        if (old != null && old.id() != id) {
            throw new AssertionError("frontend " + f + " reprogrammed with id " + id + ", had " + old.id());
        }
        if (old != null && old.backendCount() != previousCount) {
            throw new AssertionError("frontend " + f + " had " + old.backendCount() + " backends, told " + previousCount);
        }
        frontends.put(f, new LbMaps.Programmed(f, id, list.size(), maglevTable != null));
        backends.put(id, List.copyOf(list));
        writes.add("program " + f + " #" + id + " " + list);
    }

    @Override
    public void remove(Frontend f, int id, int count) {
        LbMaps.Programmed old = frontends.remove(f);
        if (old == null || old.id() != id || old.backendCount() != count) {
            throw new AssertionError("removing " + f + " #" + id + "/" + count + " that is programmed as " + old);
        }
        backends.remove(id);
        writes.add("remove " + f + " #" + id);
    }

    @Override
    public List<LbMaps.Programmed> readAll() {
        return List.copyOf(frontends.values());
    }

    @Override
    public List<Backend> backends(int id, int count) {
        return backends.getOrDefault(id, List.of());
    }
}
