package dev.flows.cli;

import dev.flows.lab.LabState;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/** --server: the Observer endpoint (a collector or relay). */
public final class ServerOptions {
    static final String DEFAULT = "localhost:4245";

    @Option(names = "--server", paramLabel = "HOST:PORT",
            description = "Observer address. Default: the lab's relay (its entry point) when a lab is up, else " + DEFAULT + ".")
    String server;

    /** host:port to dial. */
    public String target(LabState lab) {
        String s = server != null ? server : lab.exists() ? lab.entryPoint().orElse(DEFAULT) : DEFAULT;
        if (s.startsWith("tls://")) {
            throw new FlagException("--server", s, "HOST:PORT without tls:// (TLS is not supported yet; use a plaintext address)");
        }
        if (!s.matches("[^:\\s]+:\\d{1,5}|\\[[0-9a-fA-F:]+\\]:\\d{1,5}") || Integer.parseInt(s.substring(s.lastIndexOf(':') + 1)) > 65535) {
            throw new FlagException("--server", s, "HOST:PORT, e.g. localhost:4245");
        }
        return s;
    }

    /** A plaintext channel to host:port. */
    static ManagedChannel channel(String target) {
        return ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    }

    /**
     * The same for one long stream whose responses are handled on the transport thread
     * ({@link FlowStream}): no thread hop per response. Only for a handler that never waits on
     * another call of this channel.
     */
    static ManagedChannel streamingChannel(String target) {
        return ManagedChannelBuilder.forTarget(target).usePlaintext().directExecutor().build();
    }

    static void close(ManagedChannel channel) {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
