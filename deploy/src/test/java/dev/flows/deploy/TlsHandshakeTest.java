package dev.flows.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificates the chart makes (tls.method=helm, the default) work between the real programs:
 * the relay's jar runs with the flags the chart renders, its files where the chart mounts them
 * (here: the rendered Secrets written to a folder each), and
 * <ul>
 * <li>dials a collector endpoint that serves the collector's certificate and requires a client
 * certificate from the CA, as the collector does, both by the Peer service's name and as node
 * {@code node-a}: each handshake completes, with the relay's client certificate;</li>
 * <li>serves the CLI's jar, holding the CLI's client certificate, and refuses it without one.</li>
 * </ul>
 * The collector side is the JDK's TLS server (the collector's jar needs a node to start), reading
 * the key as the programs do: PKCS #8.
 */
class TlsHandshakeTest {
    private static final String PEER_SERVICE = "flows-collector.kube-system.svc.cluster.local";

    @TempDir Path dir;
    private Manifests chart;
    private FakeCollector collector;
    private Process relay;
    private int relayPort;

    @BeforeEach
    void start() throws Exception {
        chart = Chart.manifests(Chart.valueSets().get(0));
        collector = new FakeCollector(TlsTest.files(chart, "flows-collector-tls"));
        relayPort = freePort();
        // The relay resolves the Peer service's name through the JDK, which reads this file instead of DNS.
        Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 " + PEER_SERVICE + "\n127.0.0.1 localhost\n");
        List<String> cmd = new ArrayList<>(List.of(java(), "-Djdk.net.hosts.file=" + hosts, "-jar", BuiltJars.of("relay").toString()));
        for (String arg : relayArgs()) {
            if (arg.startsWith("--peer-service=")) {
                assertEquals("--peer-service=" + PEER_SERVICE + ":4244", arg);
                arg = "--peer-service=" + PEER_SERVICE + ":" + collector.port();
            } else if (arg.startsWith("--metrics-listen=")) {
                arg = "--metrics-listen=off";
            }
            cmd.add(arg);
        }
        cmd.addAll(List.of("--listen=127.0.0.1:" + relayPort, "--collectors=node-a=127.0.0.1:" + collector.port()));
        relay = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("relay.log").toFile()).start();
    }

    @AfterEach
    void stop() throws Exception {
        if (relay != null) {
            relay.destroy();
            relay.waitFor(10, TimeUnit.SECONDS);
        }
        if (collector != null) {
            collector.close();
        }
    }

    @Test
    void theRelayAndTheCollectorsAcceptEachOther() throws Exception {
        String expected = "[" + PEER_SERVICE + ", node-a.flows-collector.flows.dev]";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!collector.serverNames().containsAll(Set.of(PEER_SERVICE, "node-a.flows-collector.flows.dev")) && System.nanoTime() < deadline) {
            assertTrue(relay.isAlive(), "the relay exited: " + log());
            Thread.sleep(100);
        }
        assertTrue(collector.serverNames().containsAll(Set.of(PEER_SERVICE, "node-a.flows-collector.flows.dev")),
                "handshakes completed for " + collector.serverNames() + ", expected " + expected + "; failures: " + collector.failures
                        + "; relay: " + log());
        assertEquals(Set.of("CN=flows-relay"), Set.copyOf(collector.clients.values()), "the relay presents its client certificate");
    }

    @Test
    void theCliConnectsToTheRelayWithItsCertificateAndNotWithout() throws Exception {
        awaitListening(relayPort);
        Path cli = dir.resolve("cli");
        Files.createDirectories(cli);
        TlsTest.files(chart, "flows-cli-client-tls").forEach((k, v) -> write(cli.resolve(k), v));
        List<String> tls = List.of("--server", "tls://127.0.0.1:" + relayPort, "--tls-server-name", TlsTest.serverNames().get("RELAY"),
                "--tls-ca-cert-files", cli.resolve("ca.crt").toString());
        List<String> withCert = new ArrayList<>(tls);
        withCert.addAll(List.of("--tls-client-cert-file", cli.resolve("tls.crt").toString(), "--tls-client-key-file", cli.resolve("tls.key").toString()));
        String ok = flows("status", withCert);
        assertEquals("Healthcheck (via 127.0.0.1:" + relayPort + "): Ok", ok.lines().findFirst().orElse(""), ok + "\nrelay: " + log());
        String refused = flows("status", tls);
        assertEquals("flows: server 127.0.0.1:" + relayPort + " requires a client certificate from its CA: expected --tls-client-cert-file and "
                + "--tls-client-key-file signed by it", refused.strip());
    }

    /** The relay's flags as rendered, each mounted file at the same place under this test's folder, the Secret's content there. */
    private List<String> relayArgs() {
        Container c = chart.get(Deployment.class, "flows-relay").getSpec().getTemplate().getSpec().getContainers().get(0);
        PodSpec pod = chart.get(Deployment.class, "flows-relay").getSpec().getTemplate().getSpec();
        List<String> args = ContainerArgs.of(chart, c);
        List<String> out = new ArrayList<>();
        for (String arg : args) {
            for (VolumeMount mount : c.getVolumeMounts()) {
                Volume v = pod.getVolumes().stream().filter(x -> x.getName().equals(mount.getName())).findFirst().orElseThrow();
                if (v.getSecret() == null || !arg.contains("=" + mount.getMountPath() + "/")) {
                    continue;
                }
                Path local = dir.resolve(v.getSecret().getSecretName());
                TlsTest.files(chart, v.getSecret().getSecretName()).forEach((k, content) -> write(local.resolve(k), content));
                arg = arg.replace("=" + mount.getMountPath() + "/", "=" + local + "/");
            }
            out.add(arg);
        }
        assertTrue(out.stream().noneMatch(a -> a.contains("=/etc/flows/")), "every file flag is on a secret mount: " + out);
        return out;
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String flows(String command, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java(), "-jar", BuiltJars.of("cli").toString(), command));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FLOWS_HOME", dir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "no answer: " + cmd);
        return out;
    }

    private void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException e) {
                assertTrue(relay.isAlive() && System.nanoTime() < deadline, "the relay does not listen on " + port + ": " + log());
                Thread.sleep(100);
            }
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("relay.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * A TLS server on loopback as the collector's: its certificate and key, client certificates
     * required from the CA, HTTP/2 offered (gRPC insists). It completes each handshake, records the
     * name the client asked for (SNI) and the client's certificate, and closes.
     */
    private static final class FakeCollector implements AutoCloseable {
        final Map<String, String> clients = new ConcurrentHashMap<>();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        private final SSLServerSocket socket;
        private final Thread acceptor;

        FakeCollector(Map<String, String> pem) throws Exception {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            Certificate[] chain = cf.generateCertificates(stream(pem.get("tls.crt"))).toArray(Certificate[]::new);
            PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8(pem.get("tls.key"))));
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("collector", key, new char[0], chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
            KeyStore cas = KeyStore.getInstance("PKCS12");
            cas.load(null, null);
            cas.setCertificateEntry("ca", (X509Certificate) cf.generateCertificate(stream(pem.get("ca.crt"))));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(cas);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            socket = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            SSLParameters params = socket.getSSLParameters();
            params.setNeedClientAuth(true);
            params.setApplicationProtocols(new String[] {"h2"});
            socket.setSSLParameters(params);
            acceptor = new Thread(this::accept, "fake-collector");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        Set<String> serverNames() {
            return Set.copyOf(clients.keySet());
        }

        private void accept() {
            while (!socket.isClosed()) {
                try (SSLSocket s = (SSLSocket) socket.accept()) {
                    s.setSoTimeout(5000);
                    try {
                        s.startHandshake();
                        String sni = ((ExtendedSSLSession) s.getSession()).getRequestedServerNames().stream()
                                .map(n -> ((SNIHostName) n).getAsciiName()).findFirst().orElse("(no SNI)");
                        clients.put(sni, ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName());
                    } catch (IOException e) {
                        failures.add(e.toString());
                    }
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private static ByteArrayInputStream stream(String pem) {
            return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
        }

        private static byte[] pkcs8(String pem) {
            assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----"), "a PKCS #8 key, as the programs read: " + pem.lines().findFirst().orElse(""));
            return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
