package dev.flows.lab;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Pod;
import dev.flows.cluster.YamlClusterLoader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What {@code flows lab status} reports: up or down, nodes and their collectors, pods, workloads. */
public final class LabStatus {
    private final LabState state;

    public LabStatus(LabState state) {
        this.state = state;
    }

    /** The report, one line per fact. */
    public List<String> report() {
        List<String> out = new ArrayList<>();
        if (!state.exists()) {
            List<String> left = LabDown.labNamespacesPresent(new Commands());
            out.add("lab: down" + (left.isEmpty() ? "" : " (leftover namespaces " + String.join(", ", left) + "; run 'flows lab down')"));
            return out;
        }
        String file = state.clusterFile().orElse("?");
        out.add("lab: up (cluster " + file + ", state " + state.file() + ")");
        ClusterState cluster = null;
        try {
            cluster = new YamlClusterLoader(n -> {}).load(Path.of(file));
        } catch (RuntimeException e) {
            out.add("cluster file unreadable: " + e.getMessage());
        }
        List<LabState.Collector> collectors = state.collectors();
        if (cluster != null) {
            for (var n : cluster.nodes()) {
                String collector = collectors.stream().filter(c -> c.node().equals(n.name())).findFirst()
                        .map(c -> "collector " + c.address() + " " + (answers(c.address()) ? "answering" : "NOT answering"))
                        .orElse("no collector");
                out.add("node " + n.name() + " " + n.internalIP() + " pods " + n.podCIDR() + " netns " + LabNames.nodeNetns(n) + ", " + collector);
            }
            for (Pod p : cluster.pods()) {
                out.add("pod " + p.fullName() + " " + p.podIP() + " on " + p.nodeName() + " netns " + LabNames.podNetns(p) + " veth " + LabNames.lxc(p));
            }
        }
        state.relay().ifPresent(r -> out.add("relay " + r + " " + (answers(r) ? "answering" : "NOT answering")
                + " (the entry point: flows observe uses it by default)"));
        for (LabState.Proc p : state.processes()) {
            out.add("process " + p.role() + " pid " + p.pid() + " " + (LabState.alive(p) ? "running" : "NOT running"));
        }
        return out;
    }

    static boolean answers(String address) {
        int colon = address.lastIndexOf(':');
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))), 300);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
