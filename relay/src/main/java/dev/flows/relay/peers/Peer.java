package dev.flows.relay.peers;

import dev.flows.observer.wire.ObserverServer;
import dev.flows.proto.observer.GetNodesRequest;
import dev.flows.proto.observer.GetNodesResponse;
import dev.flows.proto.observer.ObserverGrpc;
import dev.flows.proto.relay.NodeState;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One collector as the relay sees it: its channel and whether it is healthy. Health is checked
 * with grpc.health.v1 Check("hubble.server.Observer") every health interval while it answers, and
 * after a growing {@link Backoff} delay while it does not. Its node name and version are learnt
 * from its GetNodes on each (re)connection; until then the name is the address.
 */
public final class Peer {
    private static final long CALL_DEADLINE_MS = 2000;

    private final String address;
    private final ManagedChannel channel;
    private final ScheduledExecutorService scheduler;
    private final Duration healthInterval;
    private final Backoff backoff;
    private final PeerListener listener;
    private volatile String name;
    private volatile String version = "";
    private volatile NodeState state = NodeState.UNKNOWN_NODE_STATE;
    private volatile boolean closed;

    Peer(String name, String address, ManagedChannel channel, ScheduledExecutorService scheduler,
            Duration healthInterval, Backoff backoff, PeerListener listener) {
        this.name = name == null || name.isBlank() ? address : name;
        this.address = address;
        this.channel = channel;
        this.scheduler = scheduler;
        this.healthInterval = healthInterval;
        this.backoff = backoff;
        this.listener = listener;
    }

    void start() {
        scheduler.execute(this::check);
    }

    public String name() {
        return name;
    }

    public String address() {
        return address;
    }

    public String version() {
        return version;
    }

    public NodeState state() {
        return state;
    }

    public boolean connected() {
        return state == NodeState.NODE_CONNECTED;
    }

    /** The channel to this collector, for Observer calls. */
    public ManagedChannel channel() {
        return channel;
    }

    private void check() {
        if (closed) {
            return;
        }
        try {
            HealthCheckResponse h = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(CALL_DEADLINE_MS, TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(ObserverServer.HEALTH_SERVICE).build());
            if (h.getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
                failed("not serving (" + h.getStatus() + ")");
                return;
            }
            if (!connected()) {
                learnIdentity();
            }
            backoff.reset();
            transition(NodeState.NODE_CONNECTED, "connected");
            schedule(healthInterval);
        } catch (RuntimeException e) {
            failed(e.getMessage());
        }
    }

    private void learnIdentity() {
        GetNodesResponse nodes = ObserverGrpc.newBlockingStub(channel)
                .withDeadlineAfter(CALL_DEADLINE_MS, TimeUnit.MILLISECONDS).getNodes(GetNodesRequest.getDefaultInstance());
        if (nodes.getNodesCount() == 1) {
            name = nodes.getNodes(0).getName();
            version = nodes.getNodes(0).getVersion();
        }
    }

    private void failed(String why) {
        transition(NodeState.NODE_UNAVAILABLE, address + ": " + why);
        // grpc's own reconnect backoff (up to 2 min) would fail our next checks fast: ours governs.
        channel.resetConnectBackoff();
        schedule(backoff.next());
    }

    private void transition(NodeState to, String message) {
        if (state != to && !closed) {
            state = to;
            listener.changed(this, to, message);
        }
    }

    private void schedule(Duration d) {
        if (!closed) {
            scheduler.schedule(this::check, d.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Stops checking and closes the channel (open calls on it are cancelled). */
    void close() {
        closed = true;
        channel.shutdownNow();
    }

    @Override
    public String toString() {
        return name + " (" + address + ", " + state + ")";
    }
}
