package dev.flows.cli.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.BoolValue;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import dev.flows.cli.app.FlowsCli;
import dev.flows.cluster.ClusterState;
import dev.flows.cluster.NetworkPolicy;
import dev.flows.cluster.YamlClusterLoader;
import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.Policy;
import dev.flows.proto.flow.TCP;
import dev.flows.proto.flow.UDP;
import dev.flows.proto.flow.Verdict;
import dev.flows.proto.flow.Workload;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.flow.LostEvent;
import dev.flows.proto.flow.LostEventSource;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** flows policy generate on files of crafted flows: what a reviewer of its YAML would check. */
class PolicyGenerateTest {
    private static final long T0 = 1_764_000_000L;
    @TempDir Path dir;
    private final List<GetFlowsResponse> flows = new ArrayList<>();
    private int clock;

    private static Endpoint pod(String ns, String name, String workload, String... labels) {
        Endpoint.Builder e = Endpoint.newBuilder().setNamespace(ns).setPodName(name).setIdentity(1000 + name.length())
                .addLabels("k8s:io.kubernetes.pod.namespace=" + ns);
        for (String l : labels) {
            e.addLabels("k8s:" + l);
        }
        if (workload != null) {
            e.addWorkloads(Workload.newBuilder().setName(workload).setKind("Deployment"));
        }
        return e.build();
    }

    private static final Endpoint FRONTEND_1 = pod("shop", "frontend-5d8f-a", "frontend", "app=frontend", "pod-template-hash=5d8f", "tier=web");
    private static final Endpoint FRONTEND_2 = pod("shop", "frontend-77aa-b", "frontend", "app=frontend", "pod-template-hash=77aa", "tier=web");
    private static final Endpoint CATALOG = pod("shop", "catalog-0", "catalog", "app=catalog");
    private static final Endpoint COREDNS = pod("kube-system", "coredns-1", "coredns", "k8s-app=kube-dns");
    private static final Endpoint WORLD = Endpoint.newBuilder().setIdentity(2).addLabels("reserved:world").build();
    private static final Endpoint THIS_NODE = Endpoint.newBuilder().setIdentity(1).addLabels("reserved:host").build();
    private static final Endpoint OTHER_NODE = Endpoint.newBuilder().setIdentity(6).addLabels("reserved:remote-node").build();

    /** A connection as the datapath reports it: the request, then the reply. */
    private void connection(Endpoint client, String clientIp, int clientPort, Endpoint server, String serverIp, int port, boolean udp, Verdict v) {
        for (boolean reply : new boolean[] {false, true}) {
            int sp = reply ? port : clientPort;
            int dp = reply ? clientPort : port;
            Layer4 l4 = udp ? Layer4.newBuilder().setUDP(UDP.newBuilder().setSourcePort(sp).setDestinationPort(dp)).build()
                    : Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(sp).setDestinationPort(dp)).build();
            Flow.Builder f = Flow.newBuilder().setTime(Timestamps.fromSeconds(T0 + clock++)).setNodeName("node-a")
                    .setVerdict(v).setIsReply(BoolValue.of(reply)).setL4(l4)
                    .setIP(IP.newBuilder().setSource(reply ? serverIp : clientIp).setDestination(reply ? clientIp : serverIp))
                    .setSource(reply ? server : client).setDestination(reply ? client : server);
            if (v == Verdict.DROPPED) {
                f.setDropReasonDesc(DropReason.POLICY_DENIED).addIngressDeniedBy(Policy.newBuilder().setNamespace("shop").setName("catalog-from-frontend"));
                flows.add(GetFlowsResponse.newBuilder().setFlow(f).setNodeName("node-a").setTime(f.getTime()).build());
                return;
            }
            flows.add(GetFlowsResponse.newBuilder().setFlow(f).setNodeName("node-a").setTime(f.getTime()).build());
        }
    }

    private void typicalShop() {
        connection(FRONTEND_1, "10.244.0.5", 40001, CATALOG, "10.244.1.7", 8080, false, Verdict.FORWARDED);
        connection(FRONTEND_2, "10.244.0.6", 40002, CATALOG, "10.244.1.7", 8080, false, Verdict.FORWARDED);
        connection(FRONTEND_1, "10.244.0.5", 40003, CATALOG, "10.244.1.7", 8080, false, Verdict.TRANSLATED);
        connection(FRONTEND_1, "10.244.0.5", 53001, COREDNS, "10.244.1.2", 53, true, Verdict.FORWARDED);
        connection(WORLD, "172.20.0.254", 50000, FRONTEND_1, "10.244.0.5", 80, false, Verdict.FORWARDED);
        connection(CATALOG, "10.244.1.7", 41000, WORLD, "192.0.2.10", 443, false, Verdict.FORWARDED);
        connection(CATALOG, "10.244.1.7", 41001, WORLD, "192.0.2.11", 443, false, Verdict.FORWARDED);
        connection(CATALOG, "10.244.1.7", 41002, WORLD, "192.0.2.13", 443, false, Verdict.FORWARDED);
        // the kubelet's probe needs no rule; a NodePort client masqueraded by another node cannot get one
        connection(THIS_NODE, "172.20.0.2", 33000, CATALOG, "10.244.1.7", 8080, false, Verdict.FORWARDED);
        connection(OTHER_NODE, "172.20.0.3", 33001, FRONTEND_1, "10.244.0.5", 80, false, Verdict.FORWARDED);
        // denied by an enforced policy: never a rule
        connection(COREDNS, "10.244.1.2", 42000, CATALOG, "10.244.1.7", 9090, false, Verdict.DROPPED);
    }

    private Path file() throws Exception {
        Path f = dir.resolve("flows.json");
        StringBuilder b = new StringBuilder();
        for (GetFlowsResponse r : flows) {
            b.append(JsonFormat.printer().omittingInsignificantWhitespace().print(r)).append('\n');
        }
        Files.writeString(f, b.toString());
        return f;
    }

    record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = FlowsCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private static Map<String, NetworkPolicy> load(String yaml) {
        ClusterState s = new YamlClusterLoader(note -> {}).load("generated.yaml", new StringReader(yaml));
        Map<String, NetworkPolicy> byName = new java.util.TreeMap<>();
        s.policies().forEach(p -> byName.put(p.fullName(), p));
        return byName;
    }

    @Test
    void eachWorkloadGetsExactlyThePeersAndPortsItWasSeenWith() throws Exception {
        typicalShop();
        Result r = run("policy", "generate", "--input-file", file().toString());
        assertEquals(0, r.code, r.err);
        Map<String, NetworkPolicy> p = load(r.out);
        assertEquals(List.of("kube-system/flows-generated-coredns", "shop/flows-generated-catalog", "shop/flows-generated-frontend"),
                List.copyOf(p.keySet()));

        NetworkPolicy catalog = p.get("shop/flows-generated-catalog");
        assertEquals(Map.of("app", "catalog"), catalog.podSelector().matchLabels());
        assertEquals(1, catalog.ingress().size(), r.out);
        NetworkPolicy.Rule fromFrontend = catalog.ingress().get(0);
        // both frontend pods, by what they share: no pod-template-hash, which changes at every rollout
        assertEquals(Map.of("app", "frontend", "tier", "web"), fromFrontend.peers().get(0).podSelector().matchLabels());
        assertEquals(Map.of("kubernetes.io/metadata.name", "shop"), fromFrontend.peers().get(0).namespaceSelector().matchLabels());
        assertEquals(List.of(new NetworkPolicy.Port("TCP", 8080, null, 0)), fromFrontend.ports());
        // the world on 443, each address on its own without --aggregate-world
        assertEquals(List.of("192.0.2.10/32", "192.0.2.11/32", "192.0.2.13/32"),
                catalog.egress().stream().map(e -> e.peers().get(0).ipBlock().cidr()).toList());

        NetworkPolicy frontend = p.get("shop/flows-generated-frontend");
        assertEquals(List.of("172.20.0.254/32"), frontend.ingress().stream().map(e -> e.peers().get(0).ipBlock().cidr()).toList());
        assertEquals(List.of(List.of(new NetworkPolicy.Port("UDP", 53, null, 0)), List.of(new NetworkPolicy.Port("TCP", 8080, null, 0))),
                frontend.egress().stream().map(NetworkPolicy.Rule::ports).toList());

        NetworkPolicy coredns = p.get("kube-system/flows-generated-coredns");
        assertEquals(List.of(), coredns.egress(), "coredns was denied its one connection out: it stays denied");
        assertTrue(coredns.policyTypes().contains(NetworkPolicy.Direction.EGRESS), "and egress is restricted, so nothing else is allowed");

        assertTrue(r.out.contains("# 3 connections from shop/frontend (pods frontend-5d8f-a, frontend-77aa-b) on TCP/8080"), r.out);
        assertTrue(r.out.contains("# denied, left denied: kube-system/coredns -> shop/catalog TCP/9090 (1 connection, by shop/catalog-from-frontend)"),
                r.out);
        assertTrue(r.err.contains("flows: 3 policies (3 ingress rules, 5 egress rules) from 21 flows"), r.err);
        assertTrue(r.err.contains("flows: shop/frontend from node 172.20.0.3 on [TCP/80]: another node's address is matched by identity, "
                + "which no ipBlock names; not allowed here"), r.err);
        assertTrue(r.out.contains("# shop/frontend from node 172.20.0.3 on [TCP/80]"), r.out);
    }

    @Test
    void worldAddressesMergeOnlyIntoPrefixesWhoseEveryAddressWasSeen() throws Exception {
        typicalShop();
        Result r = run("policy", "generate", "--input-file", file().toString(), "--aggregate-world", "--namespace", "shop");
        assertEquals(0, r.code, r.err);
        Map<String, NetworkPolicy> p = load(r.out);
        assertEquals(List.of("shop/flows-generated-catalog", "shop/flows-generated-frontend"), List.copyOf(p.keySet()));
        // .10 and .11 make a /31; .13 alone (its sibling .12 was never seen)
        assertEquals(List.of(List.of("192.0.2.10/31", "192.0.2.13/32")), p.get("shop/flows-generated-catalog").egress().stream()
                .map(e -> e.peers().stream().map(x -> x.ipBlock().cidr()).toList()).toList());
    }

    @Test
    void aWindowThatLostEventsIsRefusedAndNamesTheNodes() throws Exception {
        typicalShop();
        flows.add(GetFlowsResponse.newBuilder().setNodeName("node-b").setTime(Timestamps.fromSeconds(T0 + 3))
                .setLostEvents(LostEvent.newBuilder().setSource(LostEventSource.PERF_EVENT_RING_BUFFER).setNumEventsLost(12)).build());
        Path f = file();
        Result r = run("policy", "generate", "--input-file", f.toString(), "-o", dir.resolve("out").toString());
        assertEquals(1, r.code);
        assertEquals("flows: the window is incomplete (node-b lost 12 events): a connection that was not seen would be denied; "
                + "choose a window without loss, or pass --allow-incomplete", r.err.strip());
        assertFalse(Files.exists(dir.resolve("out")), "nothing written");

        Result allowed = run("policy", "generate", "--input-file", f.toString(), "-o", dir.resolve("out").toString(), "--allow-incomplete");
        assertEquals(0, allowed.code, allowed.err);
        String shop = Files.readString(dir.resolve("out/shop.yaml"));
        assertTrue(shop.contains("# INCOMPLETE (--allow-incomplete): node-b lost 12 events"), shop);
        assertEquals(2, load(shop).size());
        assertEquals(1, load(Files.readString(dir.resolve("out/kube-system.yaml"))).size());
    }

    @Test
    void aWindowOlderThanANodesWrappedBufferIsRefused() throws Exception {
        typicalShop();
        // a collector that keeps 15 flows and saw all 21: its oldest 6 are gone
        dev.flows.collector.buffer.FlowBuffer buffer = new dev.flows.collector.buffer.FlowBuffer(15);
        flows.stream().filter(GetFlowsResponse::hasFlow).forEach(r -> buffer.append(r.getFlow()));
        java.util.concurrent.ExecutorService streams = dev.flows.observer.wire.GetFlowsStreams.executor(2);
        io.grpc.Server server = io.grpc.ServerBuilder.forPort(0).addService(new dev.flows.collector.api.ObserverService(buffer,
                new dev.flows.collector.pipeline.LossCounters(() -> 0, () -> 0, () -> 0, () -> 0),
                new dev.flows.collector.api.ServerIdentity("node-a", "127.0.0.1:4244", "flows 0.1.0"), streams,
                () -> (T0 + 60) * 1_000_000_000L, System::nanoTime)).build().start();
        try {
            String address = "127.0.0.1:" + server.getPort();
            Result r = run("policy", "generate", "--server", address, "--since", java.time.Instant.ofEpochSecond(T0).toString());
            assertEquals(1, r.code, r.out + r.err);
            assertTrue(r.err.startsWith("flows: the window is incomplete (node-a holds flows only from "
                    + java.time.Instant.ofEpochSecond(T0 + 6) + " (its buffer of 15 wrapped)): a connection that was not seen would be denied"),
                    r.err);
            assertEquals(0, run("policy", "generate", "--server", address, "--since", java.time.Instant.ofEpochSecond(T0 + 6).toString()).code,
                    "a window the buffer still holds");
        } finally {
            server.shutdownNow();
            streams.shutdownNow();
        }
    }

    @Test
    void labelValuesCannotBreakTheDocument() throws Exception {
        Endpoint odd = pod("shop", "odd-1", "odd", "app=a\": b", "note=line\nbreak");
        connection(odd, "10.244.0.9", 40000, CATALOG, "10.244.1.7", 8080, false, Verdict.FORWARDED);
        Result r = run("policy", "generate", "--input-file", file().toString());
        assertEquals(0, r.code, r.err);
        assertEquals(Map.of("app", "a\": b", "note", "line\nbreak"), load(r.out).get("shop/flows-generated-odd").podSelector().matchLabels());
    }

    @Test
    void noFlowsIsOneLine() throws Exception {
        Result r = run("policy", "generate", "--input-file", file().toString());
        assertEquals(1, r.code);
        assertEquals("flows: no flows in the window: nothing justifies a rule (check --since/--until and the server)", r.err.strip());
    }
}
