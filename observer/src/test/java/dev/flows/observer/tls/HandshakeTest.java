package dev.flows.observer.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flows.observer.wire.ObserverServer;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ServerCredentials;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real handshakes over loopback: who is let in, and the one line each refusal gives. */
class HandshakeTest {
    private static final String NODE = ServerNames.collector("node-a");

    @TempDir Path dir;
    private final TlsReloader tls = new TlsReloader(Duration.ofMillis(200));
    private CertificateAuthority ca;
    private CertificateAuthority.Issued server;
    private CertificateAuthority.Issued client;
    private ObserverServer observer;

    @BeforeEach
    void certificates() throws Exception {
        ca = CertificateAuthority.create(dir, "flows", Duration.ofDays(1));
        server = ca.issue(dir, "server", NODE, "127.0.0.1");
        client = ca.issue(dir, "client", "client.flows.dev");
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (observer != null) {
            observer.close();
        }
        tls.close();
    }

    private int serve(ServerCredentials credentials) throws Exception {
        observer = ObserverServer.createNonBlocking(new InetSocketAddress("127.0.0.1", 0), credentials).start();
        return observer.port();
    }

    private int mtlsServer() throws Exception {
        return serve(tls.server(server.cert(), server.key(), List.of(ca.caFile()), true));
    }

    private static String call(int port, ChannelCredentials credentials, String authority, boolean isTls) {
        String target = "127.0.0.1:" + port;
        NettyChannelBuilder b = NettyChannelBuilder.forTarget(target, credentials);
        if (authority != null) {
            b.overrideAuthority(authority);
        }
        ManagedChannel ch = b.build();
        try {
            ServingStatus s = HealthGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(ObserverServer.HEALTH_SERVICE).build()).getStatus();
            return s.name();
        } catch (StatusRuntimeException e) {
            return TlsFailures.describe(e, target, isTls, authority).orElseGet(() -> {
                StringBuilder chain = new StringBuilder("unmapped:");
                for (Throwable t = e; t != null; t = t.getCause()) {
                    chain.append(" / ").append(t);
                }
                return chain.toString();
            });
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void clientWithCertificateFromTheCaIsServed() throws Exception {
        int port = mtlsServer();
        assertEquals("SERVING", call(port, tls.client(List.of(ca.caFile()), client.cert(), client.key()), NODE, true));
    }

    @Test
    void clientWithoutCertificateIsRefused() throws Exception {
        int port = mtlsServer();
        assertEquals("127.0.0.1:" + port + " requires a client certificate from its CA: expected --tls-client-cert-file and "
                + "--tls-client-key-file signed by it", call(port, tls.client(List.of(ca.caFile()), null, null), NODE, true));
    }

    @Test
    void clientCertificateFromAnotherCaIsRefused() throws Exception {
        int port = mtlsServer();
        Path other = dir.resolve("other");
        CertificateAuthority.Issued stranger = CertificateAuthority.create(other, "other", Duration.ofDays(1)).issue(other, "client", "client.flows.dev");
        assertEquals("127.0.0.1:" + port + " refused our client certificate: expected one signed by its client CA",
                call(port, tls.client(List.of(ca.caFile()), stranger.cert(), stranger.key()), NODE, true));
    }

    @Test
    void serverFromAnotherCaIsRefused() throws Exception {
        int port = mtlsServer();
        CertificateAuthority other = CertificateAuthority.create(dir.resolve("other"), "other", Duration.ofDays(1));
        assertEquals("the certificate of 127.0.0.1:" + port + " is not signed by a known CA: expected one from --tls-ca-cert-files",
                call(port, tls.client(List.of(other.caFile()), client.cert(), client.key()), NODE, true));
    }

    @Test
    void expiredServerCertificateIsRefused() throws Exception {
        CertificateAuthority.Issued old = ca.issue(dir, "old", Instant.now().minus(Duration.ofDays(3)), Instant.now().minus(Duration.ofDays(1)), NODE);
        int port = serve(tls.server(old.cert(), old.key(), List.of(ca.caFile()), true));
        assertEquals("the certificate of 127.0.0.1:" + port + " has expired: expected a current one",
                call(port, tls.client(List.of(ca.caFile()), client.cert(), client.key()), NODE, true));
    }

    @Test
    void wrongServerNameIsRefused() throws Exception {
        int port = mtlsServer();
        String other = ServerNames.collector("node-b");
        assertEquals("the certificate of 127.0.0.1:" + port + " is not for " + other + ": expected a certificate naming "
                + other + " (or set --tls-server-name)", call(port, tls.client(List.of(ca.caFile()), client.cert(), client.key()), other, true));
    }

    @Test
    void tlsClientToPlaintextServer() throws Exception {
        int port = serve(InsecureServerCredentials.create());
        assertEquals("127.0.0.1:" + port + " speaks plaintext: expected TLS (drop --tls / tls://, or enable TLS on the server)",
                call(port, tls.client(List.of(ca.caFile()), client.cert(), client.key()), NODE, true));
    }

    @Test
    void plaintextClientToTlsServer() throws Exception {
        int port = mtlsServer();
        assertEquals("127.0.0.1:" + port + " did not answer in plaintext: expected plaintext; it may require TLS (use --tls or tls://)",
                call(port, InsecureChannelCredentials.create(), null, false));
    }

    @Test
    void rotatedServerCertificateIsUsedByTheNextHandshake() throws Exception {
        int port = mtlsServer();
        ChannelCredentials c = tls.client(List.of(ca.caFile()), client.cert(), client.key());
        assertEquals("SERVING", call(port, c, NODE, true));
        // the server's files now hold a certificate for another name: new handshakes see it
        ca.issue(dir, "server", ServerNames.collector("node-b"));
        Thread.sleep(1500);
        // a fresh client: a resumed TLS session would show the certificate of the first handshake
        assertEquals("SERVING", call(port, tls.client(List.of(ca.caFile()), client.cert(), client.key()), ServerNames.collector("node-b"), true));
    }

    @Test
    void aKeyReplacedBeforeItsCertificateKeepsTheOldPairUntilBothAreNew() throws Exception {
        int port = mtlsServer();
        CertificateAuthority.Issued next = ca.issue(dir.resolve("next"), "server", ServerNames.collector("node-b"));
        // the key file first, as a secret volume may swap its files one by one
        Files.copy(next.key(), server.key(), StandardCopyOption.REPLACE_EXISTING);
        Thread.sleep(1500);
        assertEquals("SERVING", call(port, tls.client(List.of(ca.caFile()), client.cert(), client.key()), NODE, true),
                "the previous pair, while the new key has no certificate yet");
        Files.copy(next.cert(), server.cert(), StandardCopyOption.REPLACE_EXISTING);
        Thread.sleep(1500);
        assertEquals("SERVING", call(port, tls.client(List.of(ca.caFile()), client.cert(), client.key()), ServerNames.collector("node-b"), true),
                "the new pair once both files are new");
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedAtStartInOneLine() {
        CertificateAuthority.Issued other = ca.issue(dir.resolve("other"), "server", NODE);
        TlsException e = assertThrows(TlsException.class, () -> tls.server(server.cert(), other.key(), List.of(ca.caFile()), true));
        assertEquals(other.key() + " is not the private key of " + server.cert() + ": expected the key the certificate was issued for",
                e.getMessage());
    }
}
