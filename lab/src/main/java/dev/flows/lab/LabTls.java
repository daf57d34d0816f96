package dev.flows.lab;

import dev.flows.observer.tls.CertificateAuthority;
import dev.flows.observer.tls.CertificateAuthority.Issued;
import dev.flows.observer.tls.ServerNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The lab's certificates, made by {@code lab up} in a folder of the lab's state (removed with it by
 * {@code lab down}): one CA; per node, the collector's server certificate for
 * {@link ServerNames#collector}; the relay's client certificate (to the collectors) and server
 * certificate ({@link ServerNames#RELAY}); a client certificate for the CLI, or any client such as
 * the hubble CLI. Every hop checks the others against the one CA: mTLS end to end.
 */
public final class LabTls {
    /** The folder's name inside the state dir. */
    static final String DIR = "tls";
    private static final String CA = "flows-lab";
    private static final String RELAY_CLIENT = "relay-client";
    private static final String RELAY_SERVER = "relay";
    private static final String CLI = "cli";
    /** Longer than any lab lives; a lab that outlives it fails its handshakes with "expired". */
    private static final Duration VALIDITY = Duration.ofDays(365);

    private final Path dir;

    LabTls(Path dir) {
        this.dir = dir;
    }

    /**
     * Makes the CA and every certificate the given nodes, a relay and its clients need (the lab's,
     * and the bench's for its TLS rows).
     */
    public static LabTls make(Path dir, List<String> nodes) {
        CertificateAuthority ca = CertificateAuthority.create(dir, CA, VALIDITY);
        for (String n : nodes) {
            ca.issue(dir, collectorName(n), ServerNames.collector(n));
        }
        ca.issue(dir, RELAY_CLIENT);
        // The IP as well: a client that dials the relay's address without --tls-server-name is served too.
        ca.issue(dir, RELAY_SERVER, ServerNames.RELAY, LabNames.RELAY_ADDRESS.substring(0, LabNames.RELAY_ADDRESS.lastIndexOf(':')));
        ca.issue(dir, CLI);
        return new LabTls(dir);
    }

    public Path dir() {
        return dir;
    }

    /** The CA every lab certificate comes from: what a client trusts. */
    public Path ca() {
        return CertificateAuthority.caFile(dir, CA);
    }

    /** The client certificate and key for the CLI and other clients of the relay or collectors. */
    public Issued client() {
        return CertificateAuthority.files(dir, CLI);
    }

    /** The name the relay's certificate carries. */
    public String relayServerName() {
        return ServerNames.RELAY;
    }

    /** A node's collector certificate and key, for {@link ServerNames#collector} of it. */
    public Issued collector(String node) {
        return CertificateAuthority.files(dir, collectorName(node));
    }

    private static String collectorName(String node) {
        return "collector-" + node;
    }

    /** A collector's TLS flags: its certificate, and only clients from the lab's CA. */
    List<String> collectorArgs(String node) {
        Issued c = collector(node);
        return List.of("--tls-server-cert-file", c.cert().toString(), "--tls-server-key-file", c.key().toString(),
                "--tls-client-ca-files", ca().toString());
    }

    /** The relay's TLS flags: both hops, and client certificates from the lab's CA required of its clients. */
    public List<String> relayArgs() {
        Issued client = CertificateAuthority.files(dir, RELAY_CLIENT);
        Issued server = CertificateAuthority.files(dir, RELAY_SERVER);
        return List.of("--tls-client-cert-file", client.cert().toString(), "--tls-client-key-file", client.key().toString(),
                "--tls-hubble-server-ca-files", ca().toString(),
                "--tls-relay-server-cert-file", server.cert().toString(), "--tls-relay-server-key-file", server.key().toString(),
                "--tls-relay-client-ca-files", ca().toString());
    }
}
