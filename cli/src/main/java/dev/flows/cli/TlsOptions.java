package dev.flows.cli;

import dev.flows.observer.tls.TlsReloader;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** The hubble CLI's TLS flags; {@code tls://} in --server turns TLS on as --tls does. */
public final class TlsOptions {
    @Option(names = "--tls", description = "Speak TLS to the server.")
    boolean tls;

    @Option(names = "--tls-allow-insecure", description = "With TLS: accept any server certificate (no CA or name check).")
    boolean allowInsecure;

    @Option(names = "--tls-ca-cert-files", paramLabel = "PATH", split = ",",
            description = "PEM CA certificates the server's certificate must come from. Default: the system's CAs.")
    List<Path> caFiles = List.of();

    @Option(names = "--tls-client-cert-file", paramLabel = "PATH", description = "PEM client certificate to present (mTLS).")
    Path clientCert;

    @Option(names = "--tls-client-key-file", paramLabel = "PATH", description = "PEM private key of --tls-client-cert-file.")
    Path clientKey;

    @Option(names = "--tls-server-name", paramLabel = "NAME",
            description = "The name the server's certificate must carry. Default: the host of --server.")
    String serverName;

    /** Files and name to use where no flag gave one (the lab's, when the CLI talks to the lab). */
    void defaults(Path ca, Path cert, Path key, String name) {
        if (caFiles.isEmpty()) {
            caFiles = List.of(ca);
        }
        if (clientCert == null && clientKey == null) {
            clientCert = cert;
            clientKey = key;
        }
        if (serverName == null) {
            serverName = name;
        }
    }

    /** Plaintext, or TLS with the files given (read once: a CLI call is short). */
    ChannelCredentials credentials(boolean on) {
        if (!on) {
            return InsecureChannelCredentials.create();
        }
        if ((clientCert == null) != (clientKey == null)) {
            throw new FlagException(clientCert == null ? "--tls-client-key-file" : "--tls-client-cert-file",
                    String.valueOf(clientCert == null ? clientKey : clientCert), "given with its pair (--tls-client-cert-file and --tls-client-key-file)");
        }
        readable("--tls-client-cert-file", clientCert);
        readable("--tls-client-key-file", clientKey);
        caFiles.forEach(f -> readable("--tls-ca-cert-files", f));
        try (TlsReloader files = new TlsReloader(Duration.ofDays(1))) {
            return allowInsecure ? files.insecureClient(clientCert, clientKey) : files.client(caFiles, clientCert, clientKey);
        }
    }

    private static void readable(String flag, Path file) {
        if (file != null && !Files.isReadable(file)) {
            throw new FlagException(flag, file.toString(), "a readable PEM file");
        }
    }
}
