package dev.flows.bench;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.KubernetesClusterSource;
import dev.flows.cluster.testing.ApiObjects;
import dev.flows.cluster.testing.MockApiServer;
import dev.flows.collector.datapath.Backend;
import dev.flows.collector.datapath.DesiredServices;
import dev.flows.collector.datapath.Frontend;
import dev.flows.collector.datapath.LbMaps;
import dev.flows.collector.datapath.ServiceMaps;
import dev.flows.collector.datapath.ServiceProgrammer;
import dev.flows.collector.enrich.Enricher;
import dev.flows.collector.policy.PolicyDelta;
import dev.flows.collector.policy.PolicyProgrammer;
import dev.flows.collector.policy.PolicySink;
import dev.flows.collector.policy.PolicyState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The cluster state at scale (issue 13): a 100,000-pod, 10,000-service, 5,000-node, 2,000-policy
 * cluster in fabric8's mock API server (CRUD mode: real HTTP lists and watches), read by the
 * collector's own source ({@link KubernetesClusterSource}: paged lists, then watches) and applied
 * as {@code Collector.updateCluster} applies it (enricher tables, service programmer, policy
 * programmer) to maps held in memory: no kernel map of this build holds 100,000 pod addresses
 * (the ipcache has 65,536 entries), and the figures are the cluster state's, not the map writes'.
 *
 * <p>Memory is the heap retained after a full GC with the source synced and the state applied,
 * less the same before the source started: the mock server shares the process, so its RSS would
 * count the server's store too. A change is timed from the API request to the end of its apply:
 * the source's coalescing window ({@link KubernetesClusterSource}, 10 ms) is part of it.
 */
final class ClusterStateBench {
    private static final int NODES = 5_000;
    private static final int NAMESPACES = 1_000;
    private static final int PODS_PER_NAMESPACE = 100;
    private static final int SERVICES_PER_NAMESPACE = 10;
    private static final int POLICIES_PER_NAMESPACE = 2;
    private static final int APPS = 10;
    private static final String LOCAL_NODE = "node-0";
    private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(10);
    private static final int CHANGES = 21;
    private static final long RSS_TARGET_MB = 250;
    private static final double CHANGE_TARGET_MS = 10;

    private final PrintStream out;

    ClusterStateBench(PrintStream out) {
        this.out = out;
    }

    /** One state as the node applied it: when the source offered it and when the maps had it. */
    private record Applied(ClusterState state, long offeredNanos, long doneNanos, long[] partNanos) {}

    /** The parts of an apply, in the order {@link Node#apply} takes them. */
    private static final List<String> PARTS = List.of("enricher tables", "services (desired, then programmed)", "policies (diff into the policy state)");

    // the mock's event loop blocks while it sends a watch its whole store; its warnings (with stacks) are the mock's, not ours
    private static final java.util.logging.Logger VERTX_BLOCKED = java.util.logging.Logger.getLogger("io.vertx.core.impl.BlockedThreadChecker");

    static {
        VERTX_BLOCKED.setLevel(java.util.logging.Level.SEVERE);
    }

    void run() throws Exception {
        out.printf("cluster state: %,d pods, %,d services, %,d nodes, %,d policies in fabric8's mock API server (CRUD, real HTTP);"
                + " the collector's KubernetesClusterSource, applied as updateCluster does to in-memory maps%n",
                NAMESPACES * PODS_PER_NAMESPACE, NAMESPACES * SERVICES_PER_NAMESPACE, NODES, NAMESPACES * POLICIES_PER_NAMESPACE);
        try (MockApiServer api = new MockApiServer()) {
            long t0 = System.nanoTime();
            api.preload(cluster());
            out.printf("  stored in the mock server in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            long before = heapAfterGc();

            LinkedBlockingQueue<Applied> applied = new LinkedBlockingQueue<>();
            Node node = new Node();
            t0 = System.nanoTime();
            try (KubernetesClusterSource source = KubernetesClusterSource.connect(api.config(), n -> {}, out::println)) {
                if (!source.awaitSynced(SYNC_TIMEOUT)) {
                    throw new IllegalStateException("the source did not sync within " + SYNC_TIMEOUT.toMinutes() + " min");
                }
                long listed = System.nanoTime();
                long sourceHeap = heapAfterGc() - before;
                source.listen(s -> {
                    long offered = System.nanoTime();
                    long[] parts = node.apply(s);
                    applied.add(new Applied(s, offered, System.nanoTime(), parts));
                });
                Applied first = applied.poll(SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (first == null || first.state().pods().size() != NAMESPACES * PODS_PER_NAMESPACE) {
                    throw new IllegalStateException("the first state is not the whole cluster: " + (first == null ? "none" : first.state().pods().size() + " pods"));
                }
                // the first GC above (sourceHeap) is not part of the sync
                double listS = (listed - t0) / 1e9;
                double firstApplyS = (first.doneNanos() - first.offeredNanos()) / 1e9;
                double syncS = listS + firstApplyS;
                long heapMb = (heapAfterGc() - before) >> 20;

                KubernetesClient k = api.admin();
                int middle = NAMESPACES / 2;
                double[] pod = changes(applied, i -> k.pods().inNamespace("ns-" + middle).withName("pod-" + middle + "-7")
                        .edit(p -> { p.getMetadata().getLabels().put("version", "v" + i); return p; }),
                        (i, s) -> s.pods().stream().anyMatch(p -> p.name().equals("pod-" + middle + "-7") && ("v" + i).equals(p.labels().get("version"))));
                double[] policy = changes(applied, i -> k.network().v1().networkPolicies().inNamespace("ns-" + middle).withName("policy-" + middle + "-1")
                        .edit(p -> { p.getSpec().getIngress().get(0).getPorts().get(0).setPort(new IntOrString(6000 + i)); return p; }),
                        (i, s) -> s.policies().stream().anyMatch(p -> p.name().equals("policy-" + middle + "-1")
                                && p.ingress().get(0).ports().get(0).port() == 6000 + i));
                out.println();
                out.printf("%-52s %10s %12s %8s%n", "row", "figure", "target", "verdict");
                row("state heap after sync (MB, retained, GC'd)", heapMb, "<= " + RSS_TARGET_MB + " MB", heapMb <= RSS_TARGET_MB);
                out.printf("%-52s %10d %12s %8s%n", "  of which the source (informer caches, model)", sourceHeap >> 20, "-", "-");
                out.printf("%-52s %10d %12s %8s%n", "  of which the node (tables, programmed state)", heapMb - (sourceHeap >> 20), "-", "-");
                out.printf("%-52s %10.1f %12s %8s%n", "sync: connect to first state applied (s)", syncS, "-", "-");
                out.printf("%-52s %10.1f %12s %8s%n", "  of which: every kind listed (s)", listS, "-", "-");
                out.printf("%-52s %10.1f %12s %8s%n", "  of which: first state applied (s)", firstApplyS, "-", "-");
                for (int i = 0; i < PARTS.size(); i++) {
                    out.printf("%-52s %10.1f %12s %8s%n", "    " + PARTS.get(i) + " (s)", first.partNanos()[i] / 1e9, "-", "-");
                }
                changeRows("one pod change", pod);
                changeRows("one policy change", policy);
                out.printf("policy entries held for %s: %,d; services programmed: %,d frontends%n", LOCAL_NODE, node.policyEntries(), node.frontends());
            }
        }
    }

    private void changeRows(String what, double[] ms) {
        out.printf("%-52s %10.1f %12s %8s%n", what + ": API's answer to maps (ms, median)", ms[0], "<= " + CHANGE_TARGET_MS + " ms",
                ms[0] <= CHANGE_TARGET_MS ? "ok" : "MISSED");
        out.printf("%-52s %10.1f %12s %8s%n", "  max of " + CHANGES + " (ms)", ms[1], "-", "-");
        out.printf("%-52s %10.1f %12s %8s%n", "  from the request, mock's write included (ms, median)", ms[2], "-", "-");
        out.printf("%-52s %10.1f %12s %8s%n", "  of which the apply, state to maps (ms, median)", ms[3], "-", "-");
        for (int p = 0; p < PARTS.size(); p++) {
            out.printf("%-52s %10.1f %12s %8s%n", "    " + PARTS.get(p) + " (ms, median)", ms[4 + p], "-", "-");
        }
    }

    private void row(String what, long figure, String target, boolean ok) {
        out.printf("%-52s %10d %12s %8s%n", what, figure, target, ok ? "ok" : "MISSED");
    }

    private interface Change {
        void make(int i);
    }

    private interface Seen {
        boolean in(int i, ClusterState s);
    }

    /**
     * {median and max from the API's answer, median from the request, median apply, median of each part} of
     * {@link #CHANGES} changes, in ms. The mock emits the watch event while it answers, so the
     * answer is the closest this side sees to the event; the request adds the mock's own write,
     * which looks through its whole store.
     */
    private static double[] changes(LinkedBlockingQueue<Applied> applied, Change change, Seen seen) throws InterruptedException {
        double[] fromAnswer = new double[CHANGES];
        double[] fromRequest = new double[CHANGES];
        double[] apply = new double[CHANGES];
        double[][] parts = new double[PARTS.size()][CHANGES];
        for (int i = 0; i < CHANGES; i++) {
            applied.clear();
            int round = i;
            long t0 = System.nanoTime();
            change.make(round);
            long answered = System.nanoTime();
            while (true) {
                Applied a = applied.poll(30, TimeUnit.SECONDS);
                if (a == null) {
                    throw new IllegalStateException("change " + i + " did not reach the maps within 30 s");
                }
                if (seen.in(round, a.state())) {
                    fromAnswer[i] = Math.max(0, a.doneNanos() - answered) / 1e6;
                    fromRequest[i] = (a.doneNanos() - t0) / 1e6;
                    apply[i] = (a.doneNanos() - a.offeredNanos()) / 1e6;
                    for (int p = 0; p < PARTS.size(); p++) {
                        parts[p][i] = a.partNanos()[p] / 1e6;
                    }
                    break;
                }
            }
        }
        Arrays.sort(fromAnswer);
        Arrays.sort(fromRequest);
        Arrays.sort(apply);
        double[] out = new double[4 + PARTS.size()];
        out[0] = fromAnswer[CHANGES / 2];
        out[1] = fromAnswer[CHANGES - 1];
        out[2] = fromRequest[CHANGES / 2];
        out[3] = apply[CHANGES / 2];
        for (int p = 0; p < PARTS.size(); p++) {
            Arrays.sort(parts[p]);
            out[4 + p] = parts[p][CHANGES / 2];
        }
        return out;
    }

    /**
     * What {@code Collector.updateCluster} does with a new state, on the same classes: the
     * enricher's tables, the service programmer (desired services, then the changed ones written)
     * and the policy programmer (the per-object changes of the policy state), into memory.
     */
    private static final class Node {
        private final MemoryServiceMaps serviceMaps = new MemoryServiceMaps();
        private final ServiceProgrammer services = ServiceProgrammer.adopt(serviceMaps, false);
        private final MemoryPolicyMaps policyMaps = new MemoryPolicyMaps();
        private PolicyProgrammer policies;
        private Enricher enricher;
        private final int nodeIp = nodeIp(0);

        /** @return the nanoseconds of each of {@link #PARTS} */
        long[] apply(ClusterState cluster) {
            long policyNanos = 0;
            if (policies == null) {
                // the first state: the policy programmer first, as the enricher names policies through it
                long t = System.nanoTime();
                policies = PolicyProgrammer.adopt(policyMaps, cluster, LOCAL_NODE, false);
                policyNanos = System.nanoTime() - t;
            }
            long t0 = System.nanoTime();
            if (enricher == null) {
                enricher = new Enricher(cluster, LOCAL_NODE, services, policies);
            } else {
                enricher.update(cluster);
            }
            long t1 = System.nanoTime();
            services.apply(DesiredServices.of(cluster, nodeIp, n -> {}));
            long t2 = System.nanoTime();
            if (policyNanos == 0) {
                policies.apply(cluster);
                policyNanos = System.nanoTime() - t2;
            }
            return new long[] {t1 - t0, t2 - t1, policyNanos};
        }

        int policyEntries() {
            return policyMaps.entries;
        }

        int frontends() {
            return serviceMaps.frontends.size();
        }
    }

    /** The service maps in memory: what is programmed, as the real ones answer it to the programmer. */
    private static final class MemoryServiceMaps implements ServiceMaps {
        final Map<Frontend, LbMaps.Programmed> frontends = new HashMap<>();
        final Map<Integer, List<Backend>> backends = new HashMap<>();

        @Override
        public void program(Frontend f, int id, List<Backend> list, short[] maglevTable, int previousCount) {
            frontends.put(f, new LbMaps.Programmed(f, id, list.size(), maglevTable != null));
            backends.put(id, List.copyOf(list));
        }

        @Override
        public void remove(Frontend f, int id, int count) {
            frontends.remove(f);
            backends.remove(id);
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

    /** The policy maps in memory: the policy state itself is the programmed content; this counts what is written. */
    private static final class MemoryPolicyMaps implements PolicySink {
        int entries;

        @Override
        public void write(PolicyDelta d) {
            entries += d.policy().puts().size() - d.policy().deletes().size();
        }

        @Override
        public int reconcile(PolicyState state) {
            entries = state.policyMap().size();
            return 0;
        }
    }

    /** The cluster: nodes and namespaces, then per namespace its pods, services and policies. */
    private static List<HasMetadata> cluster() {
        List<HasMetadata> all = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            all.add(ApiObjects.node("node-" + n, ip(nodeIp(n)), podCidr(n)));
        }
        for (int ns = 0; ns < NAMESPACES; ns++) {
            all.add(ApiObjects.namespace("ns-" + ns, Map.of("team", "t" + ns % 10)));
        }
        for (int ns = 0; ns < NAMESPACES; ns++) {
            for (int j = 0; j < PODS_PER_NAMESPACE; j++) {
                int g = ns * PODS_PER_NAMESPACE + j;
                int node = g % NODES;
                all.add(ApiObjects.pod("ns-" + ns, "pod-" + ns + "-" + j, "node-" + node, ip(podNetwork(node) + 1 + g / NODES), "app-" + j % APPS));
            }
            for (int j = 0; j < SERVICES_PER_NAMESPACE; j++) {
                int s = ns * SERVICES_PER_NAMESPACE + j + 1;
                // selects app-j by its port's name (see ApiObjects.service)
                all.add(ApiObjects.service("ns-" + ns, "svc-" + ns + "-" + j, ip((10 << 24) | (96 << 16) | s), "app-" + j % APPS, 80, "TCP"));
            }
            for (int j = 0; j < POLICIES_PER_NAMESPACE; j++) {
                all.add(ApiObjects.policyFrom("ns-" + ns, "policy-" + ns + "-" + j, "app-" + j, "t" + (ns + 1) % 10));
            }
        }
        return all;
    }

    /** Nodes on 172.16.0.0/16, from .0.1. */
    private static int nodeIp(int n) {
        return (172 << 24) | (16 << 16) | (n + 1);
    }

    /** Node n's pods: 10.(n/256).(n%256).0/24. */
    private static int podNetwork(int n) {
        return (10 << 24) | (n << 8);
    }

    private static String podCidr(int n) {
        return ip(podNetwork(n)) + "/24";
    }

    private static String ip(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
