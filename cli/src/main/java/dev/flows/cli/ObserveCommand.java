package dev.flows.cli;

import dev.flows.lab.LabState;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.ObserverGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code flows observe}: asks an Observer for flows and prints them. */
@Command(name = "observe", description = "Observe flows (Hubble-compatible flags).", mixinStandardHelpOptions = true)
public final class ObserveCommand implements Callable<Integer> {
    @Mixin FilterOptions filters;
    @Mixin SelectionOptions selection;
    @Mixin OutputOptions output;
    @Mixin ServerOptions server;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        GetFlowsRequest request = request(Clock.systemUTC());
        FlowPrinter printer = new FlowPrinter(output.output, ZoneId.systemDefault());
        String target = server.target(LabState.fromEnvironment());
        PrintWriter out = spec.commandLine().getOut();
        ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
        try {
            Iterator<GetFlowsResponse> it = ObserverGrpc.newBlockingStub(channel).getFlows(request);
            while (it.hasNext()) {
                out.println(printer.line(it.next()));
                out.flush();
            }
        } catch (io.grpc.StatusRuntimeException e) {
            throw new ServerException(target, e);
        } finally {
            channel.shutdownNow();
            try {
                channel.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return 0;
    }

    /** The request the parsed flags ask for (no server needed). */
    GetFlowsRequest request(Clock clock) {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        return new RequestBuilder(clock).build(FilterOptions.inOrder(args), selection.selection());
    }

    /** The server failed the call; one line, exit 1. */
    static final class ServerException extends RuntimeException {
        ServerException(String target, io.grpc.StatusRuntimeException e) {
            super("server " + target + ": " + e.getStatus().getCode()
                    + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription().replace('\n', ' ')));
        }
    }
}
