package dev.flows.bench;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Namespace;
import dev.flows.cluster.NetworkPolicy;
import dev.flows.cluster.NetworkPolicy.Direction;
import dev.flows.cluster.NetworkPolicy.IpBlock;
import dev.flows.cluster.NetworkPolicy.Peer;
import dev.flows.cluster.NetworkPolicy.Port;
import dev.flows.cluster.NetworkPolicy.Rule;
import dev.flows.cluster.NetworkPolicy.Selector;
import dev.flows.cluster.Node;
import dev.flows.cluster.Pod;
import dev.flows.collector.policy.PolicyDelta;
import dev.flows.collector.policy.PolicyState;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Time to program one more policy and one more pod into a node's policy maps (the delta, not the
 * map writes), with 100 and with 10,000 pods and as many policies already there: the issue asks
 * for that time to be independent of cluster size.
 *
 * <p>The cluster grows the way clusters do, by more namespaces: each holds 10 pods (5 apps, 2
 * replicas) on two nodes and 10 policies (an app's ingress from the next app on a port range and
 * from the pods of the neighbouring namespace, egress to a CIDR less an except, named ports).
 */
final class PolicyBench {
    private static final int PODS_PER_NAMESPACE = 10;
    private static final List<Node> NODES = List.of(new Node("node-a", "172.20.0.2", "10.0.0.0/9"), new Node("node-b", "172.20.0.3", "10.128.0.0/9"));
    private static final int ROUNDS = 2001;

    private final PrintStream out;

    PolicyBench(PrintStream out) {
        this.out = out;
    }

    void run() {
        out.println("policy programming (PolicyState: one change -> its map delta, median of " + ROUNDS + ", one thread)");
        measure(100); // the first run also warms the JIT up: measured again below, under equal terms
        Result large = measure(10_000);
        Result small = measure(100);
        row("add one policy", small.policyNs, large.policyNs, small.policyEntries);
        row("add one pod", small.podNs, large.podNs, small.podEntries);
    }

    private void row(String what, double small, double large, int entries) {
        out.printf("  %-16s %9.1f us at 100   %9.1f us at 10,000   (x%.2f; %d entries written)%n",
                what, small / 1000, large / 1000, large / small, entries);
    }

    private record Result(double policyNs, int policyEntries, double podNs, int podEntries) {}

    private Result measure(int pods) {
        int namespaces = pods / PODS_PER_NAMESPACE;
        List<Namespace> nss = new ArrayList<>();
        List<Pod> podList = new ArrayList<>();
        List<NetworkPolicy> policies = new ArrayList<>();
        for (int n = 0; n < namespaces; n++) {
            nss.add(new Namespace(ns(n), Map.of("team", "t" + n % 10)));
            for (int i = 0; i < PODS_PER_NAMESPACE; i++) {
                podList.add(pod(n, "app-" + i % 5 + "-" + i / 5, "app-" + i % 5, i));
            }
            for (int i = 0; i < PODS_PER_NAMESPACE; i++) {
                policies.add(policy(n, "policy-" + i, "app-" + i % 5, (n + 1) % namespaces));
            }
        }
        long t0 = System.nanoTime();
        PolicyState state = PolicyState.of(new ClusterState(NODES, nss, podList, List.of(), policies), "node-a");
        PolicyDelta initial = state.drain();
        out.printf("  %,d pods, %,d policies: built in %d ms, %,d policy map entries%n",
                pods, policies.size(), (System.nanoTime() - t0) / 1_000_000, initial.policy().puts().size());

        int target = namespaces / 2;
        NetworkPolicy extra = policy(target, "extra", "app-0", (target + 1) % namespaces);
        double policyNs = median(() -> state.putPolicy(extra), () -> state.removePolicy(extra.namespace(), extra.name()));
        int policyEntries = state.putPolicy(extra).size();
        state.removePolicy(extra.namespace(), extra.name());

        // a new version of app-1: a new identity, selected by app-1's policies, a peer of app-0's
        // and, in the api tier, of the neighbouring namespace's policies
        Pod newcomer = pod(target, "newcomer", "app-1", 10);
        newcomer = new Pod(newcomer.namespace(), newcomer.name(), Map.of("app", "app-1", "tier", "api", "version", "v2"), Map.of(),
                newcomer.nodeName(), newcomer.podIP(), List.of(), newcomer.ports());
        Pod added = newcomer;
        double podNs = median(() -> state.putPod(added), () -> state.removePod(added.namespace(), added.name()));
        int podEntries = state.putPod(newcomer).size();
        return new Result(policyNs, policyEntries, podNs, podEntries);
    }

    /** Median time of the change alone (its undo is not timed), after as many warm-up rounds. */
    private static double median(Supplier<PolicyDelta> change, Runnable undo) {
        double[] ns = new double[ROUNDS];
        for (int r = -ROUNDS; r < ROUNDS; r++) {
            long t0 = System.nanoTime();
            PolicyDelta d = change.get();
            long t = System.nanoTime() - t0;
            undo.run();
            if (d.size() == 0) {
                throw new IllegalStateException("the measured change wrote nothing: the bench measures nothing");
            }
            if (r >= 0) {
                ns[r] = t;
            }
        }
        Arrays.sort(ns);
        return ns[ROUNDS / 2];
    }

    private static String ns(int n) {
        return "ns-" + n;
    }

    private static Pod pod(int n, String name, String app, int i) {
        String ip = "10." + (i % 2 == 0 ? n >> 8 : 128 + (n >> 8)) + "." + (n & 0xff) + "." + (i + 1);
        return new Pod(ns(n), name, Map.of("app", app, "tier", i % 2 == 0 ? "web" : "api"), Map.of(),
                i % 2 == 0 ? "node-a" : "node-b", ip, List.of(), List.of(new Pod.ContainerPort("http", 8080 + i % 3, "TCP")));
    }

    /** app's ingress from the next app (a port range, a named port) and the neighbour namespace's api tier; egress to a CIDR. */
    private static NetworkPolicy policy(int n, String name, String app, int neighbour) {
        String next = "app-" + ((app.charAt(4) - '0' + 1) % 5);
        Rule fromNext = new Rule(List.of(new Peer(new Selector(Map.of("app", next), List.of()), null, null)),
                List.of(new Port("TCP", 8000, null, 8100), new Port("TCP", 0, "http", 0)));
        Rule fromNeighbour = new Rule(List.of(new Peer(new Selector(Map.of("tier", "api"), List.of()),
                new Selector(Map.of("kubernetes.io/metadata.name", ns(neighbour)), List.of()), null)), List.of(new Port("UDP", 53, null, 0)));
        Rule toCidr = new Rule(List.of(new Peer(null, null, new IpBlock("198.51." + n % 256 + ".0/24", List.of("198.51." + n % 256 + ".128/25")))),
                List.of(new Port("TCP", 443, null, 0)));
        return new NetworkPolicy(ns(n), name, new Selector(Map.of("app", app), List.of()), Set.of(Direction.INGRESS, Direction.EGRESS),
                List.of(fromNext, fromNeighbour), List.of(toCidr), false);
    }
}
