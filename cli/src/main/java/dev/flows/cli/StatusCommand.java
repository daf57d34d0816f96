package dev.flows.cli;

import dev.flows.lab.LabState;
import dev.flows.proto.observer.LossCounts;
import dev.flows.proto.observer.ObserverGrpc;
import dev.flows.proto.observer.ServerStatusRequest;
import dev.flows.proto.observer.ServerStatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code flows status}: as the Hubble CLI, a health check of "hubble.server.Observer" first, then
 * ServerStatus: flows held, flows/s, nodes, and the events flows lost per stage.
 */
@Command(name = "status", description = "Health and status of the Observer (collector or relay).", mixinStandardHelpOptions = true)
public final class StatusCommand implements Callable<Integer> {
    static final String HEALTH_SERVICE = "hubble.server.Observer";
    private static final long DEADLINE_SECONDS = 10;

    @Mixin ServerOptions server;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        String target = server.target(LabState.fromEnvironment());
        ManagedChannel channel = server.channel(target);
        try {
            HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(HEALTH_SERVICE).build());
            if (health.getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
                throw new CliFailure("server " + target + " is not healthy: " + health.getStatus());
            }
            ServerStatusResponse status = ObserverGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .serverStatus(ServerStatusRequest.getDefaultInstance());
            PrintWriter out = spec.commandLine().getOut();
            lines(target, status).forEach(out::println);
            out.flush();
        } catch (StatusRuntimeException e) {
            throw server.failure(target, e);
        } finally {
            ServerOptions.close(channel);
        }
        return 0;
    }

    /** What status prints for a healthy server. */
    static List<String> lines(String target, ServerStatusResponse s) {
        List<String> out = new ArrayList<>();
        out.add("Healthcheck (via " + target + "): Ok");
        double pct = s.getMaxFlows() == 0 ? 0 : 100.0 * s.getNumFlows() / s.getMaxFlows();
        out.add(String.format(Locale.US, "Current/Max Flows: %,d/%,d (%.2f%%)", s.getNumFlows(), s.getMaxFlows(), pct));
        out.add("Flows/s: " + FlowRate.of(s.getSeenFlows(), s.getUptimeNs()));
        if (s.hasNumConnectedNodes()) {
            int connected = s.getNumConnectedNodes().getValue();
            int unavailable = s.hasNumUnavailableNodes() ? s.getNumUnavailableNodes().getValue() : 0;
            out.add("Connected Nodes: " + connected + "/" + (connected + unavailable));
        }
        if (s.hasNumUnavailableNodes() && s.getNumUnavailableNodes().getValue() > 0) {
            out.add("Unavailable Nodes: " + s.getNumUnavailableNodes().getValue());
            s.getUnavailableNodesList().forEach(n -> out.add("  - " + n));
            int more = s.getNumUnavailableNodes().getValue() - s.getUnavailableNodesCount();
            if (more > 0) {
                out.add("  - and " + more + " more...");
            }
        }
        if (s.hasFlowsLost()) {
            LossCounts l = s.getFlowsLost();
            out.add("Events lost: kernel ring " + Long.toUnsignedString(l.getKernelRing())
                    + ", event queue " + Long.toUnsignedString(l.getEventQueue())
                    + ", decode errors " + Long.toUnsignedString(l.getDecodeErrors())
                    + ", reader overrun " + Long.toUnsignedString(l.getReaderOverrun()));
            if (l.hasExporters()) {
                out.add("Lost by the relay's exporters: " + Long.toUnsignedString(l.getExporters()) + " (see flows_export_* on its /metrics)");
            }
            if (l.hasServicesUnnamed()) {
                out.add("Service connections not named on the backend's node: " + Long.toUnsignedString(l.getServicesUnnamed())
                        + " (see flows_collector_service_option on the collectors' /metrics)");
            }
        }
        return out;
    }
}
