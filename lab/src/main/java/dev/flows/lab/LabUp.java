package dev.flows.lab;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Node;
import dev.flows.cluster.Pod;
import dev.flows.cluster.YamlClusterLoader;
import dev.flows.observer.tls.TlsException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Builds the emulated cluster described by a cluster YAML: a fabric namespace with the shared
 * segment (a bridge), a namespace per node with its uplink, a namespace per pod with a veth into
 * its node, an "outside world" namespace, one link from the root namespace into the fabric, then
 * the collectors (one per node, inside its namespace) and the workload process.
 *
 * <p>The lab is sealed: no namespace has a default route, every route names a lab range, and the
 * fabric has no link to the machine's interfaces. Each step is journalled in {@link LabState}
 * before it is taken, so {@link LabDown} can undo a half-built lab.
 */
public final class LabUp {
    /** What to build and how. */
    /**
     * What to build and how.
     *
     * @param relayArgs extra arguments for the relay (e.g. an exporter's settings), appended to the lab's own
     */
    public record Options(Path clusterFile, Path flowsHome, boolean collectors, Duration collectorTimeout,
            List<String> relayArgs) {}

    private final Commands sh;
    private final LabState state;
    private final Consumer<String> progress;

    public LabUp(LabState state, Consumer<String> progress) {
        this(new Commands(), state, progress);
    }

    LabUp(Commands sh, LabState state, Consumer<String> progress) {
        this.sh = sh;
        this.state = state;
        this.progress = progress;
    }

    /** Builds the lab, or fails with one line after removing what it had built. */
    public void up(Options o) {
        Path file = o.clusterFile().toAbsolutePath();
        ClusterState cluster;
        try {
            cluster = new YamlClusterLoader(progress).load(file);
        } catch (YamlClusterLoader.InvalidClusterException e) {
            throw new LabException(e.getMessage());
        }
        Topology topo = Topology.of(cluster);
        List<WorkloadSpec.PodWorkload> workloads = WorkloadSpec.of(cluster);
        Path collectorJar = o.collectors() ? FlowsHome.collectorJar(o.flowsHome()) : null;
        if (state.exists()) {
            throw new LabException("a lab is already up (state " + state.file() + "); run 'flows lab down' first");
        }
        refuseLeftovers();
        if (!sh.check("ip", "-4", "route", "show", "exact", topo.segment()).isBlank()) {
            throw new LabException("the root namespace already routes " + topo.segment() + "; pick node IPs on another segment");
        }

        state.create();
        try {
            state.append("cluster", file.toString());
            buildNetwork(cluster, topo);
            if (o.collectors()) {
                LabTls tls = makeCertificates(cluster);
                for (Node n : cluster.nodes()) {
                    startCollector(n, file, collectorJar, o.collectorTimeout(), tls);
                }
                startRelay(cluster, FlowsHome.relayJar(o.flowsHome()), o.collectorTimeout(), o.relayArgs(), tls);
            }
            startWorkloads(file, workloads.size());
        } catch (RuntimeException e) {
            String why = e instanceof LabException ? e.getMessage() : e.toString();
            try {
                new LabDown(sh, state, s -> {}).down();
            } catch (RuntimeException cleanup) {
                why += "; cleanup also failed: " + cleanup.getMessage() + " (run 'flows lab down')";
                throw new LabException(why);
            }
            throw new LabException(why + " (the partial lab was removed)");
        }
    }

    private void refuseLeftovers() {
        List<String> left = LabDown.labNamespacesPresent(sh);
        if (!left.isEmpty() || LabDown.linkExists(sh, LabNames.ROOT_LINK)) {
            throw new LabException("leftovers of an earlier lab exist (" + (left.isEmpty() ? LabNames.ROOT_LINK : String.join(", ", left))
                    + "); run 'flows lab down' first");
        }
    }

    private void buildNetwork(ClusterState cluster, Topology topo) {
        String fabric = LabNames.FABRIC_NETNS;
        progress.accept("fabric " + topo.segment() + " (bridge " + LabNames.BRIDGE + " in " + fabric + ")");
        netns(fabric, false);
        ip("-n", fabric, "link", "add", LabNames.BRIDGE, "type", "bridge");
        ip("-n", fabric, "link", "set", LabNames.BRIDGE, "up");

        progress.accept("root link " + LabNames.ROOT_LINK + " " + topo.rootIP() + "/" + topo.prefixLength());
        state.append("link", LabNames.ROOT_LINK);
        ip("link", "add", LabNames.ROOT_LINK, "type", "veth", "peer", "name", LabNames.ROOT_LINK_PEER, "netns", fabric);
        disableIpv6OnRootLink();
        ip("addr", "add", topo.rootIP() + "/" + topo.prefixLength(), "dev", LabNames.ROOT_LINK);
        ip("link", "set", LabNames.ROOT_LINK, "up");
        ip("-n", fabric, "link", "set", LabNames.ROOT_LINK_PEER, "master", LabNames.BRIDGE, "up");

        String world = LabNames.WORLD_NETNS;
        progress.accept("world " + LabNames.WORLD_IP + " (" + world + ")");
        netns(world, false);
        uplink(world, "wd0", LabNames.WORLD_IP + "/24");
        ip("-n", world, "route", "add", topo.segment(), "dev", "eth0", "scope", "link");

        for (Node n : cluster.nodes()) {
            String ns = LabNames.nodeNetns(n);
            progress.accept("node " + n.name() + " " + n.internalIP() + " pods " + n.podCIDR() + " (" + ns + ")");
            netns(ns, true);
            uplink(ns, LabNames.fabricPort(n), n.internalIP() + "/" + topo.prefixLength());
            ip("-n", ns, "route", "add", LabNames.WORLD_CIDR, "dev", "eth0", "scope", "link");
            for (Node other : cluster.nodes()) {
                if (!other.name().equals(n.name())) {
                    ip("-n", ns, "route", "add", other.podCIDR(), "via", other.internalIP(), "dev", "eth0");
                }
            }
        }

        for (Pod p : cluster.pods()) {
            buildPod(cluster, topo, p);
        }
    }

    private void buildPod(ClusterState cluster, Topology topo, Pod p) {
        String ns = LabNames.podNetns(p);
        String node = LabNames.nodeNetns(p.nodeName());
        String lxc = LabNames.lxc(p);
        progress.accept("pod " + p.fullName() + " " + p.podIP() + " on " + p.nodeName() + " (" + ns + ", " + lxc + ")");
        netns(ns, false);
        ip("-n", node, "link", "add", lxc, "type", "veth", "peer", "name", "eth0", "netns", ns);
        ip("-n", node, "addr", "add", LabNames.POD_GATEWAY + "/32", "dev", lxc);
        ip("-n", node, "link", "set", lxc, "up");
        ip("-n", node, "route", "add", p.podIP() + "/32", "dev", lxc);
        ip("-n", ns, "addr", "add", p.podIP() + "/32", "dev", "eth0");
        ip("-n", ns, "link", "set", "eth0", "up");
        ip("-n", ns, "route", "add", LabNames.POD_GATEWAY, "dev", "eth0", "scope", "link");
        // Lab ranges only, no default route: a pod has no way to the machine's networks.
        List<String> ranges = new ArrayList<>();
        cluster.nodes().forEach(n -> ranges.add(n.podCIDR()));
        ranges.add(topo.segment());
        ranges.add(LabNames.WORLD_CIDR);
        ranges.add(LabNames.SERVICE_CIDR);
        for (String r : ranges) {
            ip("-n", ns, "route", "add", r, "via", LabNames.POD_GATEWAY, "dev", "eth0", "onlink");
        }
    }

    private void netns(String name, boolean forwarding) {
        state.append("netns", name);
        ip("netns", "add", name);
        // IPv6 off before any link exists: no DAD, router solicitations or MLD reports.
        sh.check("ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1", "net.ipv4.ip_forward=" + (forwarding ? 1 : 0));
        ip("-n", name, "link", "set", "lo", "up");
    }

    /** A veth from the fabric bridge into namespace ns, where it is eth0 with the given address. */
    private void uplink(String ns, String fabricSide, String cidr) {
        ip("-n", LabNames.FABRIC_NETNS, "link", "add", fabricSide, "type", "veth", "peer", "name", "eth0", "netns", ns);
        ip("-n", LabNames.FABRIC_NETNS, "link", "set", fabricSide, "master", LabNames.BRIDGE, "up");
        ip("-n", ns, "addr", "add", cidr, "dev", "eth0");
        ip("-n", ns, "link", "set", "eth0", "up");
    }

    private void disableIpv6OnRootLink() {
        Path knob = Path.of("/proc/sys/net/ipv6/conf/" + LabNames.ROOT_LINK + "/disable_ipv6");
        if (Files.exists(knob)) {
            try {
                Files.writeString(knob, "1");
            } catch (IOException e) {
                throw new LabException("cannot disable IPv6 on " + LabNames.ROOT_LINK + ": " + e.getMessage());
            }
        }
    }

    private void ip(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        sh.check(cmd);
    }

    /** The CA and every certificate, in the state dir: lab down removes them with it. */
    private LabTls makeCertificates(ClusterState cluster) {
        Path dir = state.dir().resolve(LabTls.DIR);
        progress.accept("certificates in " + dir + " (mTLS between every part)");
        state.append("tls", dir.toString());
        try {
            return LabTls.make(dir, cluster.nodes().stream().map(Node::name).toList());
        } catch (TlsException e) {
            throw new LabException(e.getMessage());
        }
    }

    private void startCollector(Node n, Path clusterFile, Path jar, Duration timeout, LabTls tls) {
        String address = n.internalIP() + ":" + LabNames.COLLECTOR_PORT;
        progress.accept("collector " + n.name() + " on " + address);
        state.append("pindir", LabNames.pinDir(n.name()));
        state.append("collector", n.name() + " " + address);
        launchCollector(n, clusterFile, jar, timeout, tls);
    }

    private void launchCollector(Node n, Path clusterFile, Path jar, Duration timeout, LabTls tls) {
        String address = n.internalIP() + ":" + LabNames.COLLECTOR_PORT;
        Path log = state.dir().resolve("collector-" + n.name() + ".log");
        List<String> cmd = new ArrayList<>(List.of("setsid", "nsenter", "--net=/run/netns/" + LabNames.nodeNetns(n)));
        cmd.addAll(javaJar(jar));
        cmd.addAll(List.of("--node-name", n.name(), "--cluster-state", clusterFile.toString(),
                "--listen", address, "--pin-dir", LabNames.pinDir(n.name()),
                "--metrics-listen", n.internalIP() + ":" + LabNames.COLLECTOR_METRICS_PORT));
        cmd.addAll(tls.collectorArgs(n.name()));
        Process p = start("collector-" + n.name(), cmd, log);
        waitForPort(p, "collector on " + n.name(), address, timeout, log);
    }

    /**
     * Starts one node's collector again with the command line lab up used (after it was stopped
     * or killed), recording the new process in the state so that lab down stops it too.
     */
    public void restartCollector(String node, Path flowsHome, Duration timeout) {
        Path file = Path.of(state.clusterFile().orElseThrow(() -> new LabException("no lab is up (state " + state.file() + ")")));
        Node n = new YamlClusterLoader(s -> {}).load(file).nodes().stream().filter(x -> x.name().equals(node)).findFirst()
                .orElseThrow(() -> new LabException("no node " + node + " in " + file));
        progress.accept("collector " + n.name() + " restarting");
        LabTls tls = state.tls().orElseThrow(() -> new LabException("the lab state " + state.file() + " names no certificates (tls=)"));
        launchCollector(n, file, FlowsHome.collectorJar(flowsHome), timeout, tls);
    }

    /** The relay in the root namespace, with the static list of the lab's collectors, TLS on both hops. */
    private void startRelay(ClusterState cluster, Path jar, Duration timeout, List<String> extraArgs, LabTls tls) {
        progress.accept("relay on " + LabNames.RELAY_ADDRESS);
        state.append("relay", LabNames.RELAY_ADDRESS);
        // Static rather than Peer.Notify: it needs no collector to be up, so a killed one never hides the others.
        String collectors = String.join(",", cluster.nodes().stream()
                .map(n -> n.name() + "=" + n.internalIP() + ":" + LabNames.COLLECTOR_PORT).toList());
        List<String> cmd = new ArrayList<>(List.of("setsid"));
        cmd.addAll(javaJar(jar));
        cmd.addAll(List.of("--listen", LabNames.RELAY_ADDRESS, "--collectors", collectors,
                "--metrics-listen", LabNames.RELAY_METRICS_ADDRESS));
        cmd.addAll(tls.relayArgs());
        cmd.addAll(extraArgs);
        Process p = start("relay", cmd, state.dir().resolve("relay.log"));
        waitForPort(p, "relay", LabNames.RELAY_ADDRESS, timeout, state.dir().resolve("relay.log"));
    }

    private static List<String> javaJar(Path jar) {
        // A fixed heap with the throughput collector keeps decoding at full speed
        // (a growing G1 heap slowed it several times over: see bench/HISTORY.md).
        return List.of(java(), "-XX:+UseParallelGC", "-Xms256m", "-Xmx256m", "-jar", jar.toString());
    }

    private void startWorkloads(Path clusterFile, int pods) {
        progress.accept("workloads in " + pods + " pods");
        Path log = state.dir().resolve("workloads.log");
        Process p = start("workloads", List.of("setsid", java(), "-cp", System.getProperty("java.class.path"),
                Workloads.class.getName(), clusterFile.toString()), log);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new LabException("the workload process exited (code " + p.exitValue() + "): " + tail(log));
            }
            if (read(log).contains("workloads running")) {
                if (read(log).contains(" pod ")) {
                    throw new LabException("a workload failed to start: " + tail(log));
                }
                return;
            }
            sleep(100);
        }
        throw new LabException("the workload process did not report ready within 20s: " + tail(log));
    }

    private Process start(String role, List<String> cmd, Path log) {
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            state.append("process", role + " " + p.pid() + " " + LabState.startTime(p.pid()));
            return p;
        } catch (IOException e) {
            throw new LabException("cannot start " + role + " (" + String.join(" ", cmd) + "): " + e.getMessage());
        }
    }

    private void waitForPort(Process p, String what, String address, Duration timeout, Path log) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new LabException(what + " exited (code " + p.exitValue() + "): " + tail(log));
            }
            if (LabStatus.answers(address)) {
                return;
            }
            sleep(200);
        }
        throw new LabException(what + " did not answer on " + address + " within " + timeout.toSeconds() + "s: " + tail(log));
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /** The last lines of a log, on one line. */
    static String tail(Path log) {
        List<String> lines = read(log).lines().filter(l -> !l.isBlank()).toList();
        List<String> last = lines.subList(Math.max(0, lines.size() - 5), lines.size());
        return last.isEmpty() ? "(" + log + " is empty)" : String.join(" | ", last) + " (log: " + log + ")";
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted");
        }
    }
}
