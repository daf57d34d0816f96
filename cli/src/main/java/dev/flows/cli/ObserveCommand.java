package dev.flows.cli;

import dev.flows.lab.LabState;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import io.grpc.ManagedChannel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flows observe}: asks an Observer (or a file of flows) for flows and prints them. */
@Command(name = "observe", description = "Observe flows (Hubble-compatible flags).", mixinStandardHelpOptions = true)
public final class ObserveCommand implements Callable<Integer> {
    @Mixin FilterOptions filters;
    @Mixin SelectionOptions selection;
    @Mixin OutputOptions output;
    @Mixin ServerOptions server;
    @Spec CommandSpec spec;

    @Option(names = "--input-file", paramLabel = "FILE",
            description = "Read flows from FILE (- for stdin) instead of a server: JSON lines as -o json prints them, or bare flows. "
                    + "Filters and --last/--first/--since/--until apply as a server applies them.")
    Path inputFile;

    /** Seam for tests: the zone times print in. */
    ZoneId zone = ZoneId.systemDefault();

    @Override
    public Integer call() {
        GetFlowsRequest request = request(Clock.systemUTC());
        FlowPrinter printer = output.printer(zone, System.console() != null);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (inputFile != null) {
            if (request.getFollow()) {
                throw new FlagException("--follow cannot be used with --input-file (a file has no new flows to wait for)");
            }
            for (GetFlowsResponse r : FlowFile.read(request, inputFile)) {
                printer.print(r, out, err);
            }
            printer.flush(out);
            return 0;
        }
        String target = server.target(LabState.fromEnvironment());
        ManagedChannel channel = server.streamingChannel(target);
        try {
            FlowStream.run(channel, request, r -> {
                printer.print(r, out, err);
                if (request.getFollow()) {
                    printer.flush(out);
                }
            });
            printer.flush(out);
        } catch (io.grpc.StatusRuntimeException e) {
            printer.flush(out);
            throw server.failure(target, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            printer.flush(out);
        } finally {
            ServerOptions.close(channel);
        }
        return 0;
    }

    /** The request the parsed flags ask for (no server needed). */
    GetFlowsRequest request(Clock clock) {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        return new RequestBuilder(clock).build(FilterOptions.inOrder(args), selection.selection());
    }
}
