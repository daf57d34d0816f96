package dev.flows.bench;

import com.google.protobuf.BoolValue;
import com.google.protobuf.util.Timestamps;
import dev.flows.proto.flow.CiliumEventType;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.IPVersion;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.TCP;
import dev.flows.proto.flow.TCPFlags;
import dev.flows.proto.flow.TraceObservationPoint;
import dev.flows.proto.flow.Verdict;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.relay.export.otlp.OtlpReceiver;
import dev.flows.relay.export.otlp.TraceExporter;
import dev.flows.relay.export.otlp.TracesConfig;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;

/**
 * The trace exporter's throughput: realistic flows (cross-node TCP connections between 100 client
 * pods and 20 servers, 12 observations each: SYN, SYN-ACK and both FINs at every point they
 * cross) pushed on one thread, as the export hub's thread would, through {@link TraceExporter}
 * with its shipped settings (or those given) to an OTLP gRPC receiver in this process (the project's test
 * receiver, counting spans without parsing them, on threads of its own whose CPU time is reported apart). Once as fast as the thread can,
 * once paced at {@code paced} flows/s.
 */
final class TracesBench {
    private static final int CONNECTIONS = 1 << 13;
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private final PrintStream out;
    private final Duration duration;
    private final int paced;
    private final List<String> otlpArgs;

    /** @param otlpArgs relay --otlp-* settings to measure instead of the shipped ones (e.g. --otlp-batch-size=2048) */
    TracesBench(PrintStream out, Duration duration, int paced, List<String> otlpArgs) {
        this.out = out;
        this.duration = duration;
        this.paced = paced;
        this.otlpArgs = otlpArgs;
    }

    void run() throws Exception {
        GetFlowsResponse[] flows = flows();
        out.printf("trace export (TraceExporter%s, OTLP gRPC to an in-process receiver), %d s per row after 2 s of warm-up, "
                + "%,d distinct flows of %,d connections cycled%n", otlpArgs.isEmpty() ? ", shipped settings" : " " + otlpArgs,
                duration.toSeconds(), flows.length, CONNECTIONS);
        row("as fast as one thread offers", flows, 0);
        row(String.format("paced at %,d flows/s", paced), flows, paced);
    }

    private void row(String label, GetFlowsResponse[] flows, int rate) throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.grpc(0, false)) {
            List<String> args = new ArrayList<>(List.of("--otlp-endpoint", receiver.endpoint()));
            args.addAll(otlpArgs);
            TracesConfig config = new TracesConfig();
            new CommandLine(config).parseArgs(args.toArray(String[]::new));
            config.validate();
            TraceExporter exporter = TraceExporter.start(config);
            Pusher p = new Pusher(exporter, flows, rate);
            p.push(Duration.ofSeconds(2).toNanos());
            TraceExporter.Stats before = exporter.stats();
            long cpu0 = CPU.getCurrentThreadCpuTime();
            long receiverCpu0 = receiver.cpuNanos();
            long t0 = System.nanoTime();
            long offered = p.push(duration.toNanos());
            double seconds = (System.nanoTime() - t0) / 1e9;
            long cpu = CPU.getCurrentThreadCpuTime() - cpu0;
            long receiverCpu = receiver.cpuNanos() - receiverCpu0;
            TraceExporter.Stats after = exporter.stats();
            exporter.close();
            TraceExporter.Stats s = exporter.stats();
            long sampled = after.sampled() - before.sampled();
            long dropped = after.queueFull() - before.queueFull();
            long exported = after.exported() - before.exported();
            out.printf("  %-28s offered %,7.0f spans/s (%,5.0f ns of the offering thread's CPU each) | exported %,7.0f spans/s "
                            + "| dropped queue full %,7.0f/s (%4.1f%%) | failed %,d | receiver CPU %4.2f cores, %,5.0f ns per span "
                            + "| in all: %,d of %,d exported (the receiver counted %,d), %,d dropped%n",
                    label, offered / seconds, (double) cpu / offered, exported / seconds,
                    dropped / seconds, 100.0 * dropped / Math.max(1, sampled), s.failed(), receiverCpu / 1e9 / seconds,
                    (double) receiverCpu / Math.max(1, exported), s.exported(), s.sampled(), receiver.count(), s.queueFull());
        }
    }

    /** Offers flows on the calling thread, as the export hub's thread does, paced or flat out. */
    private static final class Pusher {
        private final TraceExporter exporter;
        private final GetFlowsResponse[] flows;
        private final int rate;
        private int next;

        Pusher(TraceExporter exporter, GetFlowsResponse[] flows, int rate) {
            this.exporter = exporter;
            this.flows = flows;
            this.rate = rate;
        }

        /** Offers for {@code nanos}; returns how many flows it offered. */
        long push(long nanos) {
            long t0 = System.nanoTime();
            long offered = 0;
            for (long now = t0; now - t0 < nanos; now = System.nanoTime()) {
                // paced: what the rate allows so far, in bursts (the hub's queue delivers in bursts too)
                long due = rate == 0 ? offered + 256 : (now - t0) * rate / 1_000_000_000L;
                if (offered >= due) {
                    // ahead of the rate: sleep, so the thread's CPU time counts the work, not the waiting
                    LockSupport.parkNanos(100_000);
                }
                for (; offered < due; offered++) {
                    exporter.export(flows[next]);
                    next = next + 1 == flows.length ? 0 : next + 1;
                }
            }
            return offered;
        }
    }

    private static GetFlowsResponse[] flows() {
        List<GetFlowsResponse> out = new ArrayList<>();
        long t = 1_700_000_000_000_000_000L;
        for (int c = 0; c < CONNECTIONS; c++) {
            int client = c % 100;
            int server = c % 20;
            int port = 32768 + c % 28000;
            Object[][] steps = {
                {"node-a", TraceObservationPoint.FROM_ENDPOINT, false, "SYN"}, {"node-a", TraceObservationPoint.TO_NETWORK, false, "SYN"},
                {"node-b", TraceObservationPoint.FROM_NETWORK, false, "SYN"}, {"node-b", TraceObservationPoint.TO_ENDPOINT, false, "SYN"},
                {"node-b", TraceObservationPoint.FROM_ENDPOINT, true, "SYN,ACK"}, {"node-b", TraceObservationPoint.TO_NETWORK, true, "SYN,ACK"},
                {"node-a", TraceObservationPoint.FROM_NETWORK, true, "SYN,ACK"}, {"node-a", TraceObservationPoint.TO_ENDPOINT, true, "SYN,ACK"},
                {"node-a", TraceObservationPoint.FROM_ENDPOINT, false, "FIN,ACK"}, {"node-b", TraceObservationPoint.TO_ENDPOINT, false, "FIN,ACK"},
                {"node-b", TraceObservationPoint.FROM_ENDPOINT, true, "FIN,ACK"}, {"node-a", TraceObservationPoint.TO_ENDPOINT, true, "FIN,ACK"},
            };
            for (Object[] s : steps) {
                t += 7_000;
                out.add(GetFlowsResponse.newBuilder().setFlow(flow(t, (String) s[0], (TraceObservationPoint) s[1], (Boolean) s[2],
                        (String) s[3], client, server, port)).setNodeName((String) s[0]).build());
            }
        }
        return out.toArray(GetFlowsResponse[]::new);
    }

    private static Flow flow(long t, String node, TraceObservationPoint point, boolean reply, String flags, int client, int server, int port) {
        Endpoint a = Endpoint.newBuilder().setNamespace("ns-" + client % 4).setPodName("client-" + client).setIdentity(1000 + client).build();
        Endpoint b = Endpoint.newBuilder().setNamespace("ns-" + server % 4).setPodName("server-" + server).setIdentity(2000 + server).build();
        String ipA = "10.244.1." + (10 + client);
        String ipB = "10.244.2." + (10 + server);
        TCP.Builder tcp = TCP.newBuilder().setFlags(TCPFlags.newBuilder().setSYN(flags.contains("SYN")).setACK(flags.contains("ACK"))
                .setFIN(flags.contains("FIN")));
        if (reply) {
            tcp.setSourcePort(8080).setDestinationPort(port);
        } else {
            tcp.setSourcePort(port).setDestinationPort(8080);
        }
        return Flow.newBuilder().setTime(Timestamps.fromNanos(t)).setNodeName(node).setVerdict(Verdict.FORWARDED)
                .setEventType(CiliumEventType.newBuilder().setType(4)).setTraceObservationPoint(point).setIsReply(BoolValue.of(reply))
                .setIP(IP.newBuilder().setSource(reply ? ipB : ipA).setDestination(reply ? ipA : ipB).setIpVersion(IPVersion.IPv4))
                .setL4(Layer4.newBuilder().setTCP(tcp)).setSource(reply ? b : a).setDestination(reply ? a : b).build();
    }
}
