package dev.flows.cli;

import dev.flows.lab.LabState;
import dev.flows.lab.LabTls;
import dev.flows.observer.tls.TlsFailures;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** --server: the Observer endpoint (a collector or relay). */
public final class ServerOptions {
    static final String DEFAULT = "localhost:4245";

    @Option(names = "--server", paramLabel = "[tls://]HOST:PORT",
            description = "Observer address; tls://HOST:PORT speaks TLS (as --tls). Default: the lab's relay (its entry point) when a lab is up, else " + DEFAULT
                    + ". The lab's relay and collectors are spoken to over TLS with the lab's certificates.")
    String server;

    @Mixin TlsOptions tls = new TlsOptions();
    private boolean tlsOn;

    /**
     * host:port to dial. While a lab is up: without --server, the lab's entry point; to the lab's
     * relay or a collector, TLS with the lab's certificates (each TLS flag given still wins).
     */
    public String target(LabState lab) {
        String s = server != null ? server : lab.exists() ? lab.entryPoint().map(LabState.Entry::address).orElse(DEFAULT) : DEFAULT;
        String address = s.startsWith("tls://") ? s.substring("tls://".length()) : s;
        if (!address.matches("[^:\\s]+:\\d{1,5}|\\[[0-9a-fA-F:]+\\]:\\d{1,5}") || Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)) > 65535) {
            throw new FlagException("--server", s, "HOST:PORT or tls://HOST:PORT, e.g. localhost:4245");
        }
        tlsOn = tls.tls || s.startsWith("tls://");
        Optional<LabState.Entry> labEndpoint = lab.exists() ? lab.endpoint(address) : Optional.empty();
        labEndpoint.ifPresent(e -> lab.tls().ifPresent(t -> {
            tlsOn = true;
            tls.defaults(t.ca(), t.client().cert(), t.client().key(), e.serverName());
        }));
        return address;
    }

    /** The name the server's certificate must carry: --tls-server-name, else the host dialled. */
    private String serverName(String target) {
        return tls.serverName != null ? tls.serverName : target.substring(0, target.lastIndexOf(':')).replaceAll("^\\[|\\]$", "");
    }

    /** A failed call as one line; TLS failures (see TlsFailures) name the certificate and what was expected. */
    public CliFailure failure(String target, StatusRuntimeException e) {
        return TlsFailures.describe(e, "server " + target, tlsOn, serverName(target))
                .<CliFailure>map(CliFailure::new).orElseGet(() -> new ServerException(target, e));
    }

    /** A channel to host:port, over TLS when --tls or tls:// asked for it (after {@link #target}). */
    public ManagedChannel channel(String target) {
        return builder(target).build();
    }

    private ManagedChannelBuilder<?> builder(String target) {
        ManagedChannelBuilder<?> b = Grpc.newChannelBuilder(target, tls.credentials(tlsOn));
        return tlsOn && tls.serverName != null ? b.overrideAuthority(tls.serverName) : b;
    }

    /**
     * The same for one long stream whose responses are handled on the transport thread
     * ({@link FlowStream}): no thread hop per response. Only for a handler that never waits on
     * another call of this channel.
     */
    ManagedChannel streamingChannel(String target) {
        return builder(target).directExecutor().build();
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
