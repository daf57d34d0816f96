package dev.flows.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import dev.flows.observer.tls.CertificateAuthority;
import dev.flows.observer.tls.CertificateAuthority.Issued;
import dev.flows.observer.tls.ServerNames;
import dev.flows.observer.tls.TlsReloader;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.ObserverGrpc;
import dev.flows.proto.observer.ServerStatusRequest;
import dev.flows.proto.relay.NodeState;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 14, rotation in place: every certificate (both collectors' server certificates, the relay's
 * client and server certificates) is replaced in its files in the middle of a follow through the
 * relay, all over real TLS on loopback. The follow goes on without a gap or a duplicate, and every
 * new handshake presents the new certificates.
 */
class TlsRotationTest {
    private static final Duration RELOAD = Duration.ofMillis(200);
    private static final int PER_NODE = 1500;

    @TempDir Path dir;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    @Test
    void aFollowThroughTheRelaySeesEveryFlowWhileEveryCertificateRotates() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create(dir, "flows", Duration.ofDays(1));
        Issued certA = ca.issue(dir, "collector-node-a", ServerNames.collector("node-a"));
        Issued certB = ca.issue(dir, "collector-node-b", ServerNames.collector("node-b"));
        Issued relayClient = ca.issue(dir, "relay-client");
        Issued relayServer = ca.issue(dir, "relay", ServerNames.RELAY);
        Issued cli = ca.issue(dir, "cli");
        List<Path> cas = List.of(ca.caFile());

        TlsReloader collectorsTls = new TlsReloader(RELOAD);
        closing.add(collectorsTls);
        FakeCollector a = new FakeCollector("node-a", 0, 65535, collectorsTls.server(certA.cert(), certA.key(), cas, true));
        closing.add(a);
        FakeCollector b = new FakeCollector("node-b", 0, 65535, collectorsTls.server(certB.cert(), certB.key(), cas, true));
        closing.add(b);
        RelayConfig config = new RelayConfig();
        new CommandLine(config).parseArgs("--listen", "127.0.0.1:0", "--collectors", "node-a=" + a.address() + ",node-b=" + b.address(),
                "--tls-client-cert-file", relayClient.cert().toString(), "--tls-client-key-file", relayClient.key().toString(),
                "--tls-hubble-server-ca-files", ca.caFile().toString(),
                "--tls-relay-server-cert-file", relayServer.cert().toString(), "--tls-relay-server-key-file", relayServer.key().toString(),
                "--tls-relay-client-ca-files", ca.caFile().toString(), "--tls-reload-interval", "200ms",
                "--sort-window", "200ms", "--quiet-grace", "50ms", "--health-interval", "100ms", "--retry-max", "1s");
        config.validate();
        Relay relay = Relay.start(config, List.of());
        closing.add(relay);
        String relayAddress = "127.0.0.1:" + relay.port();

        TlsReloader clientTls = new TlsReloader(Duration.ofDays(1));
        closing.add(clientTls);
        ManagedChannel client = NettyChannelBuilder.forTarget(relayAddress, clientTls.client(cas, cli.cert(), cli.key()))
                .overrideAuthority(ServerNames.RELAY).build();
        closing.add(client::shutdownNow);
        ObserverGrpc.ObserverBlockingStub stub = ObserverGrpc.newBlockingStub(client);
        RelayTest.waitFor(() -> stub.withDeadlineAfter(5, TimeUnit.SECONDS).serverStatus(ServerStatusRequest.getDefaultInstance())
                .getNumConnectedNodes().getValue() == 2, Duration.ofSeconds(10), () -> "the relay connected to both collectors over TLS");
        BlockingQueue<GetFlowsResponse> got = RelayTest.follow(stub, GetFlowsRequest.newBuilder().setFollow(true).build());
        List<GetFlowsResponse> seen = new ArrayList<>();
        RelayTest.collect(got, seen, rs -> rs.stream().anyMatch(r -> r.hasNodeStatus() && r.getNodeStatus().getStateChange() == NodeState.NODE_CONNECTED
                && r.getNodeStatus().getNodeNamesCount() == 2), "both nodes connected over TLS");

        // Flows go on arriving at both collectors, every 2 ms, before, during and after the rotation.
        Map<String, List<Long>> sent = Map.of("node-a", new ArrayList<>(), "node-b", new ArrayList<>());
        AtomicReference<Throwable> feedFailed = new AtomicReference<>();
        Thread feeder = new Thread(() -> {
            try {
                long last = 0;
                for (int i = 0; i < PER_NODE; i++) {
                    for (FakeCollector c : List.of(a, b)) {
                        last = Math.max(last + 1, RelayTestClock.wallNanos());
                        c.add(last);
                        sent.get(c.node).add(last);
                    }
                    Thread.sleep(2);
                }
            } catch (Throwable t) {
                feedFailed.set(t);
            }
        }, "feeder");
        feeder.start();

        Thread.sleep(800);
        Map<String, BigInteger> before = serials(certA, certB, relayClient, relayServer);
        // Every certificate is replaced in place (a new key, a new serial), as cert-manager rotates secrets.
        certA = ca.issue(dir, "collector-node-a", ServerNames.collector("node-a"));
        certB = ca.issue(dir, "collector-node-b", ServerNames.collector("node-b"));
        relayClient = ca.issue(dir, "relay-client");
        relayServer = ca.issue(dir, "relay", ServerNames.RELAY);
        Map<String, BigInteger> after = serials(certA, certB, relayClient, relayServer);
        before.forEach((file, serial) -> assertNotEquals(serial, after.get(file), file + " was rotated"));
        Thread.sleep(RELOAD.multipliedBy(5).toMillis());

        // New handshakes (fresh clients: no session to resume) are served with the new certificates.
        assertEquals(serial(certA.cert()), servedSerial(a.address(), ServerNames.collector("node-a"), cas, cli), "node-a's new certificate");
        assertEquals(serial(certB.cert()), servedSerial(b.address(), ServerNames.collector("node-b"), cas, cli), "node-b's new certificate");
        assertEquals(serial(relayServer.cert()), servedSerial(relayAddress, ServerNames.RELAY, cas, cli), "the relay's new certificate");

        feeder.join(TimeUnit.SECONDS.toMillis(30));
        assertEquals(null, feedFailed.get());
        int total = 2 * PER_NODE;
        RelayTest.collect(got, seen, rs -> RelayTest.flowTimes(rs).size() >= total, "every flow fed while the certificates rotated");
        Thread.sleep(500);
        got.drainTo(seen);

        for (String node : List.of("node-a", "node-b")) {
            List<Long> times = seen.stream().filter(GetFlowsResponse::hasFlow).filter(r -> r.getFlow().getNodeName().equals(node))
                    .map(r -> Timestamps.toNanos(r.getFlow().getTime())).toList();
            assertEquals(sent.get(node), times, node + ": every flow once, in order (no gap, no duplicate)");
        }
        assertEquals(List.of(), seen.stream().filter(GetFlowsResponse::hasLostEvents).toList(), "nothing lost");
        assertEquals(List.of(), seen.stream().filter(GetFlowsResponse::hasNodeStatus).skip(1).toList(),
                "the follow never saw a node go away: the established streams went on");
        assertEquals(total, stub.withDeadlineAfter(5, TimeUnit.SECONDS).serverStatus(ServerStatusRequest.getDefaultInstance()).getSeenFlows(),
                "the relay counts every flow its collectors saw");

        // The relay's next handshake with a collector presents its new client certificate, and accepts the collector's new one.
        int port = b.port();
        b.close();
        FakeCollector b2 = new FakeCollector("node-b", port, 65535, collectorsTls.server(certB.cert(), certB.key(), cas, true));
        closing.add(b2);
        BigInteger relayClientNow = serial(relayClient.cert());
        RelayTest.waitFor(() -> b2.clientSerials.contains(relayClientNow), Duration.ofSeconds(20),
                () -> "the relay reconnects to node-b with its new client certificate (seen: " + b2.clientSerials + ")");
        assertEquals(Map.of(relayClientNow, (long) b2.clientSerials.size()),
                b2.clientSerials.stream().collect(Collectors.groupingBy(s -> s, Collectors.counting())), "only the new one");
    }

    private static Map<String, BigInteger> serials(Issued... certificates) throws Exception {
        Map<String, BigInteger> out = new java.util.HashMap<>();
        for (Issued c : certificates) {
            out.put(c.cert().getFileName().toString(), serial(c.cert()));
        }
        return out;
    }

    private static BigInteger serial(Path cert) throws Exception {
        try (InputStream in = Files.newInputStream(cert)) {
            return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in)).getSerialNumber();
        }
    }

    /** The serial of the certificate the server at {@code address} presents to a new client, checked against {@code cas} and {@code name}. */
    private static BigInteger servedSerial(String address, String name, List<Path> cas, Issued client) throws Exception {
        AtomicReference<SSLSession> session = new AtomicReference<>();
        ClientInterceptor capture = new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                ClientCall<Q, R> call = next.newCall(method, options);
                return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onHeaders(Metadata h) {
                                session.set(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
                                super.onHeaders(h);
                            }
                        }, headers);
                    }
                };
            }
        };
        try (TlsReloader fresh = new TlsReloader(Duration.ofDays(1))) {
            ManagedChannel ch = NettyChannelBuilder.forTarget(address, fresh.client(cas, client.cert(), client.key()))
                    .overrideAuthority(name).intercept(capture).build();
            try {
                ObserverGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS).serverStatus(ServerStatusRequest.getDefaultInstance());
            } finally {
                ch.shutdownNow();
            }
        }
        return ((X509Certificate) session.get().getPeerCertificates()[0]).getSerialNumber();
    }
}
