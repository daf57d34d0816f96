package dev.flows.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.flows.lab.LabState;
import dev.flows.observer.config.LowerCaseEnum;
import dev.flows.proto.observer.GetNodesRequest;
import dev.flows.proto.observer.GetNodesResponse;
import dev.flows.proto.observer.Node;
import dev.flows.proto.observer.ObserverGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flows nodes}: the nodes behind the Observer (Hubble's {@code list nodes}). */
@Command(name = "nodes", description = "The nodes of the Observer (one for a collector, all for a relay).", mixinStandardHelpOptions = true)
public final class NodesCommand implements Callable<Integer> {
    /** -o values. */
    enum Format { TABLE, WIDE, JSON }

    static final class FormatConverter extends LowerCaseEnum<Format> { FormatConverter() { super(Format.class); } }

    @Mixin ServerOptions server;
    @Spec CommandSpec spec;

    @Option(names = {"-o", "--output"}, converter = FormatConverter.class, paramLabel = "FORMAT", defaultValue = "table",
            description = "table, wide (adds VERSION and ADDRESS) or json.")
    Format output;

    @Override
    public Integer call() {
        String target = server.target(LabState.fromEnvironment());
        ManagedChannel channel = server.channel(target);
        GetNodesResponse nodes;
        try {
            nodes = ObserverGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).getNodes(GetNodesRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            throw server.failure(target, e);
        } finally {
            ServerOptions.close(channel);
        }
        PrintWriter out = spec.commandLine().getOut();
        lines(nodes, output).forEach(out::println);
        out.flush();
        return 0;
    }

    /** What nodes prints, sorted by name. */
    static List<String> lines(GetNodesResponse r, Format format) {
        if (format == Format.JSON) {
            try {
                return List.of(JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace().print(r));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("cannot print nodes as JSON", e);
            }
        }
        boolean wide = format == Format.WIDE;
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("NAME", "STATUS", "AGE", "FLOWS/S", "CURRENT/MAX-FLOWS"));
        if (wide) {
            header.addAll(List.of("VERSION", "ADDRESS"));
        }
        rows.add(header);
        r.getNodesList().stream().sorted(Comparator.comparing(Node::getName)).forEach(n -> {
            List<String> row = new ArrayList<>(List.of(n.getName(), state(n), age(n.getUptimeNs()),
                    FlowRate.of(n.getSeenFlows(), n.getUptimeNs()), flows(n)));
            if (wide) {
                row.addAll(List.of(n.getVersion(), n.getAddress()));
            }
            rows.add(row);
        });
        return Table.align(rows);
    }

    private static String state(Node n) {
        return switch (n.getState()) {
            case NODE_CONNECTED -> "Connected";
            case NODE_UNAVAILABLE -> "Unavailable";
            case NODE_GONE -> "Gone";
            case NODE_ERROR -> "Error";
            default -> "Unknown";
        };
    }

    private static String flows(Node n) {
        if (n.getState() != dev.flows.proto.relay.NodeState.NODE_CONNECTED) {
            return "N/A";
        }
        double pct = n.getMaxFlows() == 0 ? 0 : 100.0 * n.getNumFlows() / n.getMaxFlows();
        return String.format(Locale.US, "%d/%d (%.2f%%)", n.getNumFlows(), n.getMaxFlows(), pct);
    }

    /** Kubernetes-style age: 45s, 3m20s, 42m, 5h3m, 20h, 2d4h, 12d. */
    static String age(long uptimeNs) {
        if (uptimeNs <= 0) {
            return "N/A";
        }
        Duration d = Duration.ofNanos(uptimeNs);
        long s = d.toSeconds();
        if (s < 120) {
            return s + "s";
        }
        long m = d.toMinutes();
        if (m < 10) {
            return m + "m" + (s % 60 == 0 ? "" : s % 60 + "s");
        }
        long h = d.toHours();
        if (h < 3) {
            return m + "m";
        }
        if (h < 8) {
            return h + "h" + (m % 60 == 0 ? "" : m % 60 + "m");
        }
        if (h < 48) {
            return h + "h";
        }
        long days = d.toDays();
        if (days < 8) {
            return days + "d" + (h % 24 == 0 ? "" : h % 24 + "h");
        }
        return days + "d";
    }
}
