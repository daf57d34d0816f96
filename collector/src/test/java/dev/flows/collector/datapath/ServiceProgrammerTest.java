package dev.flows.collector.datapath;

import static org.junit.jupiter.api.Assertions.*;

import dev.flows.observer.net.Ipv4Prefix;
import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Pod;
import dev.flows.cluster.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Incremental programming: only what changed is written, ids stay, a restart adopts. */
class ServiceProgrammerTest {
    static final int NODE = Ipv4Prefix.address("172.20.0.2");

    static Service service(int i) {
        return new Service("ns", "svc-" + i, "ClusterIP", "10.96." + (i / 250) + "." + (i % 250 + 1), Map.of("app", "a" + i),
                List.of(new Service.Port("http", "TCP", 80, "8080", 0)));
    }

    static Pod pod(int i, int replica) {
        return new Pod("ns", "a" + i + "-" + replica, Map.of("app", "a" + i), Map.of(), "node-a",
                "10.244." + (1 + replica) + "." + (i % 250 + 1), List.of());
    }

    static ClusterState cluster(int services, int replicas) {
        List<Service> svcs = new ArrayList<>();
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < services; i++) {
            svcs.add(service(i));
            for (int r = 0; r < replicas; r++) {
                pods.add(pod(i, r));
            }
        }
        return new ClusterState(List.of(), List.of(), pods, svcs);
    }

    static Map<String, DesiredServices.ServiceSpec> desired(ClusterState s) {
        return DesiredServices.of(s, NODE, n -> {});
    }

    @Test
    void aSecondApplyOfTheSameStateWritesNothing() {
        FakeServiceMaps maps = new FakeServiceMaps();
        ServiceProgrammer p = ServiceProgrammer.adopt(maps, false);
        ClusterState s = cluster(100, 2);
        assertEquals(new ServiceProgrammer.Changes(100, 100, 0), p.apply(desired(s)));
        maps.writes.clear();
        assertEquals(new ServiceProgrammer.Changes(0, 0, 0), p.apply(desired(s)));
        assertEquals(List.of(), maps.writes);
    }

    @Test
    void addingOrRemovingOneServiceOrEndpointTouchesOnlyItsEntries() {
        FakeServiceMaps maps = new FakeServiceMaps();
        ServiceProgrammer p = ServiceProgrammer.adopt(maps, false);
        ClusterState s = cluster(100, 2);
        p.apply(desired(s));
        int idOf5 = maps.frontends.get(new Frontend(Ipv4Prefix.address("10.96.0.6"), 80, 6, false)).id();

        List<Service> more = new ArrayList<>(s.services());
        more.add(service(100));
        List<Pod> pods = new ArrayList<>(s.pods());
        pods.add(pod(100, 0));
        maps.writes.clear();
        p.apply(desired(new ClusterState(List.of(), List.of(), pods, more)));
        assertEquals(List.of("program 10.96.0.101:80/TCP #101 [10.244.1.101:8080]"), maps.writes);

        pods.remove(pod(5, 1));
        maps.writes.clear();
        p.apply(desired(new ClusterState(List.of(), List.of(), pods, more)));
        assertEquals(List.of("program 10.96.0.6:80/TCP #" + idOf5 + " [10.244.1.6:8080]"), maps.writes, "same id, one backend left");

        more.remove(service(7));
        maps.writes.clear();
        assertEquals(new ServiceProgrammer.Changes(1, 0, 1), p.apply(desired(new ClusterState(List.of(), List.of(), pods, more))));
        assertEquals(List.of("remove 10.96.0.8:80/TCP #8"), maps.writes);
        assertNull(p.byId(8), "a removed frontend names nothing");
        assertEquals("svc-100", p.byId(101).getName());

        more.add(service(7));
        maps.writes.clear();
        p.apply(desired(new ClusterState(List.of(), List.of(), pods, more)));
        assertEquals(List.of("program 10.96.0.8:80/TCP #102 [10.244.1.8:8080, 10.244.2.8:8080]"), maps.writes,
                "a frontend that comes back gets a new id: old connections' replies keep theirs");
    }

    @Test
    void aRestartedCollectorAdoptsWhatIsProgrammedAndFixesOnlyTheDifference() {
        FakeServiceMaps maps = new FakeServiceMaps();
        ClusterState s = cluster(20, 2);
        ServiceProgrammer.adopt(maps, false).apply(desired(s));
        Map<Frontend, LbMaps.Programmed> before = Map.copyOf(maps.frontends);

        // The new collector's state: one service gone, one with a backend less.
        List<Service> svcs = new ArrayList<>(s.services());
        svcs.remove(service(3));
        List<Pod> pods = new ArrayList<>(s.pods());
        pods.remove(pod(4, 0));
        maps.writes.clear();
        ServiceProgrammer restarted = ServiceProgrammer.adopt(maps, false);
        restarted.apply(desired(new ClusterState(List.of(), List.of(), pods, svcs)));

        assertEquals(List.of("program 10.96.0.5:80/TCP #5 [10.244.2.5:8080]", "remove 10.96.0.4:80/TCP #4"),
                maps.writes.stream().sorted().toList());
        for (Map.Entry<Frontend, LbMaps.Programmed> e : maps.frontends.entrySet()) {
            assertEquals(before.get(e.getKey()).id(), e.getValue().id(), "ids survive the restart: " + e.getKey());
        }
        assertEquals("svc-0", restarted.byId(1).getName(), "adopted ids name their services");
    }

    @Test
    void oneServiceAtATime() {
        FakeServiceMaps maps = new FakeServiceMaps();
        ServiceProgrammer p = ServiceProgrammer.adopt(maps, false);
        ClusterState s = cluster(50, 2);
        p.apply(desired(s));
        maps.writes.clear();
        DesiredServices.PodIndex pods = new DesiredServices.PodIndex(List.of(pod(50, 0)));
        DesiredServices.ServiceSpec added = DesiredServices.of(service(50), null, pods, NODE, n -> {});
        assertEquals(new ServiceProgrammer.Changes(1, 1, 0), p.update(added));
        assertEquals(new ServiceProgrammer.Changes(0, 0, 0), p.update(added), "unchanged: nothing");
        assertEquals(new ServiceProgrammer.Changes(1, 0, 1), p.remove("ns/svc-50"));
        assertEquals(new ServiceProgrammer.Changes(0, 0, 0), p.remove("ns/svc-50"), "already gone");
        assertEquals(List.of("program 10.96.0.51:80/TCP #51 [10.244.1.51:8080]", "remove 10.96.0.51:80/TCP #51"), maps.writes);
    }

    @Test
    void switchingToMaglevReprogramsEveryFrontend() {
        FakeServiceMaps maps = new FakeServiceMaps();
        ClusterState s = cluster(3, 2);
        ServiceProgrammer.adopt(maps, false).apply(desired(s));
        maps.writes.clear();
        ServiceProgrammer.adopt(maps, true).apply(desired(s));
        assertEquals(3, maps.writes.size());
        assertTrue(maps.frontends.values().stream().allMatch(LbMaps.Programmed::maglev));
    }
}
