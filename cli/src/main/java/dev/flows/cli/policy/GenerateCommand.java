package dev.flows.cli.policy;

import dev.flows.cli.CliFailure;
import dev.flows.cli.FlagException;
import dev.flows.cli.FlowFile;
import dev.flows.cli.FlowStream;
import dev.flows.cli.RequestBuilder;
import dev.flows.cli.WindowOptions;
import dev.flows.cli.ServerOptions;
import dev.flows.lab.LabState;
import dev.flows.proto.observer.GetFlowsRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code flows policy generate}: least-privilege NetworkPolicies from the connections a window of
 * flows shows. A window that lost events is refused (a connection that was not seen would be
 * denied), unless --allow-incomplete says the user knows.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate least-privilege NetworkPolicies from the allowed connections of a window of flows "
                + "(--since/--until; without them, every flow the server holds).")
public final class GenerateCommand implements Callable<Integer> {
    @Mixin ServerOptions server;
    @Spec CommandSpec spec;

    @Mixin WindowOptions window;

    @Option(names = "--input-file", paramLabel = "FILE",
            description = "Read the flows from FILE (- for stdin; as flows observe -o json prints them) instead of a server.")
    Path inputFile;

    @Option(names = "--namespace", paramLabel = "NAMESPACE", description = "Policies only for the workloads of this namespace (peers may be anywhere).")
    String namespace;

    @Option(names = {"-o", "--output-dir"}, paramLabel = "DIR", description = "Write one file per namespace (NAMESPACE.yaml) into DIR. Default: stdout.")
    Path outputDir;

    @Option(names = "--aggregate-world", description = "Merge world addresses seen on the same ports into the fewest prefixes covering exactly them.")
    boolean aggregateWorld;

    @Option(names = "--allow-incomplete", description = "Write the policies even when the window lost events (they may deny what was not seen).")
    boolean allowIncomplete;

    @Override
    public Integer call() {
        if (namespace != null && namespace.isBlank()) {
            throw new FlagException("--namespace", namespace, "a namespace name");
        }
        GetFlowsRequest request = new RequestBuilder(Clock.systemUTC())
                .build(List.of(), window.all());
        ObservedTraffic traffic = read(request);
        if (traffic.flows() == 0) {
            throw new CliFailure("no flows in the window: nothing justifies a rule (check --since/--until and the server)");
        }
        String losses = java.util.stream.Stream.concat(
                traffic.lost().entrySet().stream().map(e -> e.getKey() + " lost " + e.getValue() + " events"),
                gaps.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())).collect(Collectors.joining(", "));
        if (!losses.isEmpty() && !allowIncomplete) {
            throw new CliFailure("the window is incomplete (" + losses + "): a connection that was not seen would be denied; "
                    + "choose a window without loss, or pass --allow-incomplete");
        }
        PolicyPlanner.Plan plan = new PolicyPlanner(traffic, namespace, aggregateWorld).plan();
        List<String> header = header(traffic, losses);
        header.addAll(plan.warnings());
        write(header, plan.policies());
        PrintWriter err = spec.commandLine().getErr();
        int ingress = plan.policies().stream().mapToInt(p -> p.ingress().size()).sum();
        int egress = plan.policies().stream().mapToInt(p -> p.egress().size()).sum();
        err.println("flows: " + plan.policies().size() + " policies (" + ingress + " ingress rules, " + egress + " egress rules) from "
                + traffic.flows() + " flows" + (outputDir == null ? "" : " in " + outputDir));
        plan.warnings().forEach(w -> err.println("flows: " + w));
        header.stream().filter(h -> h.startsWith("denied")).forEach(h -> err.println("flows: " + h));
        err.flush();
        return 0;
    }

    /** Nodes whose buffer no longer holds the window's start (see WindowCoverage); filled by {@link #read}. */
    private Map<String, String> gaps = Map.of();

    private ObservedTraffic read(GetFlowsRequest request) {
        ObservedTraffic traffic = new ObservedTraffic();
        if (inputFile != null) {
            FlowFile.read(request, inputFile).forEach(traffic::add);
            return traffic;
        }
        String target = server.target(LabState.fromEnvironment());
        ManagedChannel channel = server.channel(target);
        try {
            FlowStream.run(channel, request, traffic::add);
            if (request.hasSince()) {
                gaps = WindowCoverage.gaps(channel, Instant.ofEpochSecond(request.getSince().getSeconds(), request.getSince().getNanos()));
            }
        } catch (StatusRuntimeException e) {
            throw server.failure(target, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure("interrupted while reading flows from " + target);
        } finally {
            channel.shutdownNow();
        }
        return traffic;
    }

    /** What the reviewer reads first: the window, whether it was complete, what stays denied. */
    private static List<String> header(ObservedTraffic traffic, String losses) {
        List<String> h = new ArrayList<>();
        long[] span = traffic.span();
        h.add("Generated by flows policy generate from " + traffic.flows() + " flows, " + time(span[0]) + " to " + time(span[1]) + ".");
        h.add(losses.isEmpty() ? "Complete: no events were lost in this window."
                : "INCOMPLETE (--allow-incomplete): " + losses + "; connections in them are not allowed here.");
        if (traffic.undirected() + traffic.unresolved() > 0) {
            h.add(traffic.undirected() + " flows without a direction and " + traffic.unresolved() + " without a peer a policy can name justify no rule.");
        }
        traffic.denied().forEach((e, connections) -> h.add("denied, left denied: " + e.client() + " -> " + e.server() + " " + e.port()
                + " (" + connections.size() + " connection" + (connections.size() == 1 ? "" : "s")
                + (traffic.deniedBy(e).isEmpty() ? "" : ", by " + String.join(", ", traffic.deniedBy(e))) + ")"));
        return h;
    }

    private static String time(long nanos) {
        return Instant.ofEpochSecond(0, nanos).toString();
    }

    private void write(List<String> header, List<GeneratedPolicy> policies) {
        if (outputDir == null) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(PolicyYaml.write(header, policies));
            out.flush();
            return;
        }
        Map<String, List<GeneratedPolicy>> byNamespace = new TreeMap<>();
        policies.forEach(p -> byNamespace.computeIfAbsent(p.workload().namespace(), k -> new ArrayList<>()).add(p));
        try {
            Files.createDirectories(outputDir);
            for (Map.Entry<String, List<GeneratedPolicy>> e : byNamespace.entrySet()) {
                Files.writeString(outputDir.resolve(e.getKey() + ".yaml"), PolicyYaml.write(header, e.getValue()));
            }
        } catch (IOException e) {
            throw new FlagException("--output-dir", outputDir.toString(), "a folder this user can write (" + e.getMessage() + ")");
        }
    }
}
