package dev.flows.relay;

import com.google.protobuf.util.Timestamps;
import dev.flows.observer.wire.ObserverServer;
import dev.flows.collector.api.ObserverService;
import dev.flows.collector.api.ServerIdentity;
import dev.flows.collector.buffer.FlowBuffer;
import dev.flows.collector.pipeline.LossCounters;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.IP;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** A collector without a kernel: the real Observer API over loopback, fed flows by the test. */
final class FakeCollector implements AutoCloseable {
    final String node;
    final FlowBuffer buffer;
    final List<BigInteger> clientSerials = new CopyOnWriteArrayList<>();
    private final ExecutorService streams;
    private final ObserverServer server;

    FakeCollector(String node, int port, int capacity) throws IOException {
        this(node, port, capacity, Duration.ZERO);
    }

    /** @param answerDelay how long each GetFlows waits before it starts answering: a busy node */
    FakeCollector(String node, int port, int capacity, Duration answerDelay) throws IOException {
        this(node, port, capacity, answerDelay, InsecureServerCredentials.create());
    }

    /**
     * Served with {@code credentials} (TLS, as a collector serves by default); the serial of each
     * client certificate presented on a call is kept in {@link #clientSerials}.
     */
    FakeCollector(String node, int port, int capacity, ServerCredentials credentials) throws IOException {
        this(node, port, capacity, Duration.ZERO, credentials);
    }

    private FakeCollector(String node, int port, int capacity, Duration answerDelay, ServerCredentials credentials) throws IOException {
        this.node = node;
        this.buffer = new FlowBuffer(capacity);
        this.streams = new ThreadPoolExecutor(0, 16, 30, TimeUnit.SECONDS, new SynchronousQueue<>()) {
            @Override
            protected void beforeExecute(Thread t, Runnable r) {
                try {
                    Thread.sleep(answerDelay.toMillis());
                } catch (InterruptedException e) {
                    t.interrupt();
                }
            }
        };
        ObserverService svc = new ObserverService(buffer, LossCounters.none(),
                new ServerIdentity(node, "127.0.0.1:" + port, "fake"), streams,
                () -> RelayTestClock.wallNanos(), System::nanoTime);
        ServerInterceptor recordClient = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                SSLSession tls = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                if (tls != null) {
                    try {
                        clientSerials.add(((X509Certificate) tls.getPeerCertificates()[0]).getSerialNumber());
                    } catch (SSLPeerUnverifiedException e) {
                        // no client certificate: nothing to record (the server's own check decides)
                    }
                }
                return next.startCall(call, headers);
            }
        };
        this.server = ObserverServer.createNonBlocking(new InetSocketAddress("127.0.0.1", port), credentials,
                () -> ServerInterceptors.intercept(svc, recordClient), () -> ServerInterceptors.intercept(svc.batches(), recordClient)).start();
    }

    String address() {
        return "127.0.0.1:" + server.port();
    }

    int port() {
        return server.port();
    }

    /** A flow of this node at the given wall time (ns). */
    void add(long timeNanos) {
        buffer.append(Flow.newBuilder().setNodeName(node).setTime(Timestamps.fromNanos(timeNanos))
                .setIP(IP.newBuilder().setSource("10.244.0.1").setDestination("10.244.1.1")).build());
    }

    private boolean closed;

    @Override
    public void close() throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        server.close();
        streams.shutdownNow();
    }
}
