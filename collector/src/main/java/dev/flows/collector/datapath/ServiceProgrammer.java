package dev.flows.collector.datapath;

import dev.flows.collector.datapath.DesiredServices.ServiceSpec;
import dev.flows.collector.enrich.ServiceNames;
import dev.flows.proto.flow.Service;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Keeps the service maps equal to the desired services, touching only what changed: a service
 * whose frontends and backends are as programmed costs nothing; a changed service rewrites only
 * its own frontends; a removed one deletes only its own entries. The work of {@link #apply} is
 * proportional to the services that changed, plus one comparison per service.
 *
 * <p>Each frontend has an id (its rev-NAT index, carried by conntrack entries and events), kept
 * for as long as the frontend exists and never reused for another one, so a reply of an old
 * connection is never rewritten to the wrong frontend. A restarted collector {@link #adopt}s
 * what the pinned maps hold: frontends it will program the same way keep their ids and entries,
 * so established connections are not disturbed.
 *
 * <p>Also the {@link ServiceNames} of the enrich stage: id to service, safe to read from any thread.
 */
public final class ServiceProgrammer implements ServiceNames {
    private static final Logger LOG = Logger.getLogger(ServiceProgrammer.class.getName());

    private final ServiceMaps maps;
    private final boolean maglev;
    /** What each service has programmed: frontend -> backends. */
    private final Map<String, Map<Frontend, List<Backend>>> programmed = new HashMap<>();
    /** Every frontend in the maps, with its id and how it is programmed. */
    private final Map<Frontend, LbMaps.Programmed> frontends = new HashMap<>();
    /** Adopted frontends no service has claimed yet, with their backends. */
    private final Map<Frontend, List<Backend>> adopted = new HashMap<>();
    private final Map<Integer, Service> names = new ConcurrentHashMap<>();
    private int nextId = 1;

    /** What one {@link #apply} changed. */
    public record Changes(int servicesChanged, int frontendsWritten, int frontendsRemoved) {}

    private ServiceProgrammer(ServiceMaps maps, boolean maglev) {
        this.maps = maps;
        this.maglev = maglev;
    }

    /**
     * Starts from what the maps hold (empty after a boot, full after a collector restart).
     *
     * @param maglev choose backends by Maglev table (else at random)
     */
    public static ServiceProgrammer adopt(ServiceMaps maps, boolean maglev) {
        ServiceProgrammer p = new ServiceProgrammer(maps, maglev);
        for (LbMaps.Programmed f : maps.readAll()) {
            p.frontends.put(f.frontend(), f);
            p.adopted.put(f.frontend(), maps.backends(f.id(), f.backendCount()));
            p.nextId = Math.max(p.nextId, f.id() + 1);
        }
        if (!p.adopted.isEmpty()) {
            LOG.info(() -> "adopted " + p.adopted.size() + " programmed service frontends");
        }
        return p;
    }

    /** Makes the maps hold exactly {@code desired}. */
    public synchronized Changes apply(Map<String, ServiceSpec> desired) {
        int changed = 0;
        int written = 0;
        int removed = 0;
        for (ServiceSpec spec : desired.values()) {
            Map<Frontend, List<Backend>> have = programmed.getOrDefault(spec.key(), Map.of());
            if (have.equals(spec.frontends()) && adopted.isEmpty()) {
                continue;
            }
            int[] counts = reprogram(spec, have);
            if (counts[0] + counts[1] > 0) {
                changed++;
            }
            written += counts[0];
            removed += counts[1];
        }
        for (String key : Set.copyOf(programmed.keySet())) {
            if (!desired.containsKey(key)) {
                for (Frontend f : programmed.remove(key).keySet()) {
                    removeFrontend(f);
                    removed++;
                }
                changed++;
            }
        }
        for (Frontend f : Set.copyOf(adopted.keySet())) {
            removeFrontend(f); // programmed by an earlier collector for a service that is gone
            removed++;
        }
        adopted.clear();
        return new Changes(changed, written, removed);
    }

    /**
     * One service was added or changed: only its entries are touched, in time independent of how
     * many other services exist. For a source of cluster state that reports changes one object at
     * a time; {@link #apply} reconciles everything.
     */
    public synchronized Changes update(ServiceSpec spec) {
        Map<Frontend, List<Backend>> have = programmed.getOrDefault(spec.key(), Map.of());
        if (have.equals(spec.frontends())) {
            return new Changes(0, 0, 0);
        }
        int[] counts = reprogram(spec, have);
        return new Changes(1, counts[0], counts[1]);
    }

    /** One service (namespace/name) was removed: only its entries are deleted. */
    public synchronized Changes remove(String key) {
        Map<Frontend, List<Backend>> gone = programmed.remove(key);
        if (gone == null) {
            return new Changes(0, 0, 0);
        }
        gone.keySet().forEach(this::removeFrontend);
        return new Changes(1, 0, gone.size());
    }

    /** Returns {frontends written, frontends removed}. */
    private int[] reprogram(ServiceSpec spec, Map<Frontend, List<Backend>> have) {
        int written = 0;
        int removed = 0;
        Service name = Service.newBuilder().setNamespace(spec.namespace()).setName(spec.name()).build();
        for (Map.Entry<Frontend, List<Backend>> e : spec.frontends().entrySet()) {
            Frontend f = e.getKey();
            List<Backend> want = e.getValue();
            LbMaps.Programmed now = frontends.get(f);
            List<Backend> before = have.containsKey(f) ? have.get(f) : adopted.remove(f);
            if (now != null && Objects.equals(before, want) && now.maglev() == maglev) {
                names.put(now.id(), name);
                continue; // adopted as it should be, or unchanged
            }
            int id = now != null ? now.id() : nextId++;
            int previous = now != null ? now.backendCount() : 0;
            maps.program(f, id, want, maglev ? Maglev.table(want) : null, previous);
            frontends.put(f, new LbMaps.Programmed(f, id, want.size(), maglev));
            names.put(id, name);
            written++;
        }
        for (Frontend f : have.keySet()) {
            if (!spec.frontends().containsKey(f)) {
                removeFrontend(f);
                removed++;
            }
        }
        programmed.put(spec.key(), spec.frontends());
        return new int[] {written, removed};
    }

    private void removeFrontend(Frontend f) {
        LbMaps.Programmed p = frontends.remove(f);
        adopted.remove(f);
        if (p != null) {
            maps.remove(f, p.id(), p.backendCount());
            names.remove(p.id());
        }
    }

    /** Ids of the frontends programmed now (the sweeper keeps their rev-NAT entries). */
    public synchronized Set<Integer> ids() {
        Set<Integer> ids = new HashSet<>();
        frontends.values().forEach(p -> ids.add(p.id()));
        return ids;
    }

    @Override
    public Service byId(int id) {
        return names.get(id);
    }
}
