package dev.flows.relay;

import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.Converters;
import dev.flows.observer.config.Durations;
import dev.flows.observer.tls.ServerNames;
import dev.flows.observer.tls.TlsReloader;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The relay's two TLS hops, with hubble-relay's flag names: as a client of the collectors (their
 * certificates checked against --tls-hubble-server-ca-files and the name
 * {@code <node>.}{@value ServerNames#COLLECTOR_DOMAIN}; ours presented for their client-certificate
 * check) and as the server of its own clients (client certificates optional, required once
 * --tls-relay-client-ca-files is given). Files are read again when they change.
 */
public final class RelayTls {
    @Option(names = "--tls-client-cert-file", paramLabel = "PATH", description = "PEM certificate the relay presents to collectors.")
    private Path clientCert;

    @Option(names = "--tls-client-key-file", paramLabel = "PATH", description = "PEM private key of --tls-client-cert-file.")
    private Path clientKey;

    @Option(names = "--tls-hubble-server-ca-files", paramLabel = "PATH", split = ",",
            description = "PEM CA certificates the collectors' certificates must come from.")
    private List<Path> collectorCas = List.of();

    @Option(names = "--tls-relay-server-cert-file", paramLabel = "PATH",
            description = "PEM certificate the relay presents to its clients (it should name " + ServerNames.RELAY + ").")
    private Path serverCert;

    @Option(names = "--tls-relay-server-key-file", paramLabel = "PATH", description = "PEM private key of --tls-relay-server-cert-file.")
    private Path serverKey;

    @Option(names = "--tls-relay-client-ca-files", paramLabel = "PATH", split = ",",
            description = "PEM CA certificates; when given, the relay's clients must present a certificate from one of them.")
    private List<Path> clientCas = List.of();

    @Option(names = "--disable-server-tls", description = "Serve the relay's clients in plaintext.")
    private boolean serverDisabled;

    @Option(names = "--disable-client-tls", description = "Dial the collectors in plaintext.")
    private boolean clientDisabled;

    @Option(names = "--tls-reload-interval", converter = Converters.DurationConverter.class, paramLabel = "DURATION", defaultValue = "10s",
            description = "How often the TLS files are checked for a rotated certificate. Default: ${DEFAULT-VALUE}.")
    private Duration reloadInterval;

    /** How often the reloader checks the files. */
    Duration reloadInterval() {
        if (reloadInterval.isZero()) {
            throw new ConfigException("--tls-reload-interval " + Durations.format(reloadInterval) + ": must be more than 0");
        }
        return reloadInterval;
    }

    /** Credentials for the relay's own server; checks its flags and files first. */
    ServerCredentials server(TlsReloader reloader) {
        if (serverDisabled) {
            return InsecureServerCredentials.create();
        }
        if (serverCert == null || serverKey == null) {
            throw new ConfigException("TLS is on by default: --tls-relay-server-cert-file and --tls-relay-server-key-file "
                    + "are required (or --disable-server-tls to serve clients in plaintext)");
        }
        readable("--tls-relay-server-cert-file", serverCert);
        readable("--tls-relay-server-key-file", serverKey);
        clientCas.forEach(f -> readable("--tls-relay-client-ca-files", f));
        return reloader.server(serverCert, serverKey, clientCas, !clientCas.isEmpty());
    }

    /** Credentials for the channels to collectors (null: plaintext); checks its flags and files first. */
    ChannelCredentials client(TlsReloader reloader) {
        if (clientDisabled) {
            return InsecureChannelCredentials.create();
        }
        if (collectorCas.isEmpty() || clientCert == null || clientKey == null) {
            throw new ConfigException("TLS is on by default: --tls-hubble-server-ca-files, --tls-client-cert-file and "
                    + "--tls-client-key-file are required (or --disable-client-tls to dial collectors in plaintext)");
        }
        readable("--tls-client-cert-file", clientCert);
        readable("--tls-client-key-file", clientKey);
        collectorCas.forEach(f -> readable("--tls-hubble-server-ca-files", f));
        return reloader.client(collectorCas, clientCert, clientKey);
    }

    boolean clientTls() {
        return !clientDisabled;
    }

    boolean serverTls() {
        return !serverDisabled;
    }

    private static void readable(String flag, Path file) {
        if (!Files.isReadable(file)) {
            throw new ConfigException(flag + " " + file + ": not a readable file (expected a PEM file)");
        }
    }
}
