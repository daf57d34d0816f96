package dev.flows.observer.wire;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server of an Observer endpoint (a collector: Observer and Peer; the relay: its
 * Observer) plus the standard health service, which reports SERVING for "" and
 * "hubble.server.Observer" (the hubble CLI checks the latter before anything). An endpoint that
 * serves GetFlows in batches ({@link FlowBatchMethod}) passes that service too.
 */
public final class ObserverServer implements AutoCloseable {
    public static final String HEALTH_SERVICE = "hubble.server.Observer";

    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();

    /** Seam for tests: any ServerBuilder (in-process, or Netty on an ephemeral port). */
    public ObserverServer(ServerBuilder<?> builder, BindableService... services) {
        for (BindableService s : services) {
            builder.addService(s);
        }
        this.server = builder.addService(health.getHealthService()).build();
    }

    /**
     * A Netty server on {@code address} (port 0 picks a free one; see {@link #port()}); handlers run
     * on gRPC's default executor, so they may block (the relay's ServerStatus and GetNodes wait for
     * every collector).
     */
    public static ObserverServer create(InetSocketAddress address, BindableService... services) {
        return new ObserverServer(NettyServerBuilder.forAddress(address), services);
    }

    /**
     * The same for services whose handlers never block (the collector's: GetFlows hands its stream
     * to its own thread; ServerStatus, GetNodes and Peer answer from memory). They run on the
     * transport thread: no thread hop per call or per flow-control callback. A handler that waited
     * here for another call on the same event loop would wait forever.
     */
    public static ObserverServer createNonBlocking(InetSocketAddress address, BindableService... services) {
        return new ObserverServer(NettyServerBuilder.forAddress(address).directExecutor(), services);
    }

    /** As {@link #createNonBlocking}, over TLS or plaintext as {@code credentials} say (see dev.flows.observer.tls). */
    public static ObserverServer createNonBlocking(InetSocketAddress address, ServerCredentials credentials, BindableService... services) {
        return new ObserverServer(NettyServerBuilder.forAddress(address, credentials).directExecutor(), services);
    }

    public ObserverServer start() throws IOException {
        server.start();
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(HEALTH_SERVICE, ServingStatus.SERVING);
        return this;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getPort();
    }

    /** Reports NOT_SERVING, then stops accepting calls and cancels open streams. */
    @Override
    public void close() throws InterruptedException {
        health.enterTerminalState();
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
