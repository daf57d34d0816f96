package dev.flows.collector.config;

import dev.flows.observer.config.ConfigException;
import dev.flows.observer.tls.ServerNames;
import dev.flows.observer.tls.TlsReloader;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The collector's TLS: a server that only serves clients holding a certificate from
 * --tls-client-ca-files (the relay's, the CLI's). Plaintext only with --disable-server-tls, and
 * then the collector says so at start. The files are read again when they change.
 */
public final class CollectorTls {
    @Option(names = "--tls-server-cert-file", paramLabel = "PATH",
            description = "PEM certificate the collector presents; it must name <node-name>." + ServerNames.COLLECTOR_DOMAIN + ".")
    private Path certFile;

    @Option(names = "--tls-server-key-file", paramLabel = "PATH", description = "PEM private key of --tls-server-cert-file.")
    private Path keyFile;

    @Option(names = "--tls-client-ca-files", paramLabel = "PATH", split = ",",
            description = "PEM CA certificates; only clients with a certificate from one of them are served.")
    private List<Path> clientCaFiles = List.of();

    @Option(names = "--disable-server-tls", description = "Serve the Observer API in plaintext (anyone who reaches the port reads every flow).")
    private boolean disabled;

    @Option(names = "--tls-reload-interval", paramLabel = "DURATION", defaultValue = "10s",
            description = "How often the TLS files are checked for a rotated certificate. Default: ${DEFAULT-VALUE}.")
    private String reloadInterval;

    /** True when the Observer API is served in plaintext. */
    public boolean plaintext() {
        return disabled;
    }

    /** Checks the flags and files once; the message names the flag and what is valid. */
    public void validate() {
        dev.flows.observer.config.Durations.parse("--tls-reload-interval", reloadInterval);
        if (disabled) {
            return;
        }
        if (certFile == null || keyFile == null || clientCaFiles.isEmpty()) {
            throw new ConfigException("TLS is on by default: --tls-server-cert-file, --tls-server-key-file and "
                    + "--tls-client-ca-files are required (or --disable-server-tls to serve in plaintext)");
        }
        exists("--tls-server-cert-file", certFile);
        exists("--tls-server-key-file", keyFile);
        clientCaFiles.forEach(f -> exists("--tls-client-ca-files", f));
    }

    private static void exists(String flag, Path file) {
        if (!Files.isReadable(file)) {
            throw new ConfigException(flag + " " + file + ": not a readable file (expected a PEM file)");
        }
    }

    /** Credentials for the Observer server; {@code reloader} keeps watching the files. */
    public ServerCredentials credentials(TlsReloader reloader) {
        return disabled ? InsecureServerCredentials.create() : reloader.server(certFile, keyFile, clientCaFiles, true);
    }

    public java.time.Duration reloadInterval() {
        return dev.flows.observer.config.Durations.parse("--tls-reload-interval", reloadInterval);
    }
}
