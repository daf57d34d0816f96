package dev.flows.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flows.cli.app.FlowsCli;
import dev.flows.observer.tls.CertificateAuthority;
import dev.flows.observer.tls.ServerNames;
import dev.flows.observer.tls.TlsReloader;
import dev.flows.observer.wire.ObserverServer;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** flows status over real TLS handshakes on loopback: each refusal is one line naming what was expected. */
class CliTlsTest {
    @TempDir Path dir;
    private final TlsReloader tls = new TlsReloader(Duration.ofSeconds(10));
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private CertificateAuthority ca;
    private CertificateAuthority.Issued server;
    private CertificateAuthority.Issued client;
    private ObserverServer observer;

    @BeforeEach
    void certificates() throws Exception {
        ca = CertificateAuthority.create(dir, "flows", Duration.ofDays(1));
        server = ca.issue(dir, "relay", ServerNames.RELAY, "127.0.0.1");
        client = ca.issue(dir, "client", "client.flows.dev");
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (observer != null) {
            observer.close();
        }
        tls.close();
    }

    private String serve(ServerCredentials credentials) throws Exception {
        observer = ObserverServer.createNonBlocking(new InetSocketAddress("127.0.0.1", 0), credentials).start();
        return "127.0.0.1:" + observer.port();
    }

    private String status(String... args) {
        CommandLine cl = FlowsCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        List<String> all = new java.util.ArrayList<>(List.of("status"));
        all.addAll(List.of(args));
        cl.execute(all.toArray(String[]::new));
        return err.toString().strip();
    }

    @Test
    void noClientCertificate() throws Exception {
        String target = serve(tls.server(server.cert(), server.key(), List.of(ca.caFile()), true));
        assertEquals("flows: server " + target + " requires a client certificate from its CA: expected --tls-client-cert-file and "
                + "--tls-client-key-file signed by it", status("--server", "tls://" + target, "--tls-ca-cert-files", ca.caFile().toString(),
                "--tls-server-name", ServerNames.RELAY));
    }

    @Test
    void wrongServerName() throws Exception {
        String target = serve(tls.server(server.cert(), server.key(), List.of(ca.caFile()), true));
        assertEquals("flows: the certificate of server " + target + " is not for other.flows.dev: expected a certificate naming "
                + "other.flows.dev (or set --tls-server-name)", status("--server", target, "--tls", "--tls-ca-cert-files",
                ca.caFile().toString(), "--tls-client-cert-file", client.cert().toString(), "--tls-client-key-file", client.key().toString(),
                "--tls-server-name", "other.flows.dev"));
    }

    @Test
    void tlsToAPlaintextServer() throws Exception {
        String target = serve(InsecureServerCredentials.create());
        assertEquals("flows: server " + target + " speaks plaintext: expected TLS (drop --tls / tls://, or enable TLS on the server)",
                status("--server", "tls://" + target, "--tls-ca-cert-files", ca.caFile().toString()));
    }

    @Test
    void plaintextToATlsServer() throws Exception {
        String target = serve(tls.server(server.cert(), server.key(), List.of(ca.caFile()), true));
        assertEquals("flows: server " + target + " did not answer in plaintext: expected plaintext; it may require TLS (use --tls or tls://)",
                status("--server", target));
    }
}
