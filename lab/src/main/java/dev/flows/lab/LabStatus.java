package dev.flows.lab;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Pod;
import dev.flows.cluster.YamlClusterLoader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code flows lab status} reports: up or down, nodes and their collectors, pods, workloads,
 * and the certificates a client needs to connect.
 */
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
        state.tls().ifPresent(t -> {
            out.add("tls ca " + t.ca());
            out.add("tls client cert " + t.client().cert());
            out.add("tls client key " + t.client().key());
            out.add("tls server name " + t.relayServerName() + " (the relay's certificate)");
            state.relay().ifPresent(r -> out.add("other clients: hubble observe --server tls://" + r + " --tls-ca-cert-files " + t.ca()
                    + " --tls-client-cert-file " + t.client().cert() + " --tls-client-key-file " + t.client().key()
                    + " --tls-server-name " + t.relayServerName()));
        });
        for (LabState.Proc p : state.processes()) {
            out.add("process " + p.role() + " pid " + p.pid() + " " + (LabState.alive(p) ? "running" : "NOT running"));
        }
        return out;
    }

    /**
     * The same facts for scripts, as one JSON object: {@code up}, {@code state}, {@code cluster},
     * {@code relay}, {@code collectors} (node, address) and {@code tls} ({@code ca},
     * {@code clientCert}, {@code clientKey}, {@code serverName}) when the lab made certificates.
     */
    public String json() {
        Struct.Builder root = Struct.newBuilder().putFields("up", Value.newBuilder().setBoolValue(state.exists()).build());
        if (state.exists()) {
            root.putFields("state", text(state.file().toString()));
            state.clusterFile().ifPresent(f -> root.putFields("cluster", text(f)));
            state.relay().ifPresent(r -> root.putFields("relay", text(r)));
            ListValue.Builder collectors = ListValue.newBuilder();
            state.collectors().forEach(c -> collectors.addValues(Value.newBuilder().setStructValue(Struct.newBuilder()
                    .putFields("node", text(c.node())).putFields("address", text(c.address())))));
            root.putFields("collectors", Value.newBuilder().setListValue(collectors).build());
            state.tls().ifPresent(t -> root.putFields("tls", Value.newBuilder().setStructValue(Struct.newBuilder()
                    .putFields("ca", text(t.ca().toString()))
                    .putFields("clientCert", text(t.client().cert().toString()))
                    .putFields("clientKey", text(t.client().key().toString()))
                    .putFields("serverName", text(t.relayServerName()))).build()));
        }
        try {
            return JsonFormat.printer().omittingInsignificantWhitespace().print(root);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print the lab's status as JSON", e);
        }
    }

    private static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
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
