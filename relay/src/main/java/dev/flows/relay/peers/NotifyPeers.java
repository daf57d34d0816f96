package dev.flows.relay.peers;

import dev.flows.proto.peer.ChangeNotification;
import dev.flows.proto.peer.NotifyRequest;
import dev.flows.proto.peer.PeerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Collectors as listed by a collector's peer.Peer/Notify (every collector serves it from its
 * cluster state): PEER_ADDED and PEER_UPDATED add or rename a peer, PEER_DELETED removes it. The
 * stream is expected to stay open; when it ends or fails it is reopened after a backoff delay,
 * and the peers it had listed are kept meanwhile (a restarting collector must not empty the pool).
 */
public final class NotifyPeers implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NotifyPeers.class.getName());

    private final ManagedChannel channel;
    private final PeerPool pool;
    private final Backoff backoff;
    private final String source;
    private final Map<String, String> listed = new LinkedHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "flows-notify-peers");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    public NotifyPeers(String target, ManagedChannel channel, PeerPool pool, Backoff backoff) {
        this.channel = channel;
        this.pool = pool;
        this.backoff = backoff;
        this.source = "peer-service " + target;
    }

    public NotifyPeers start() {
        timer.execute(this::subscribe);
        return this;
    }

    private void subscribe() {
        if (closed) {
            return;
        }
        PeerGrpc.newStub(channel).notify(NotifyRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(ChangeNotification n) {
                backoff.reset();
                apply(n);
            }

            @Override
            public void onError(Throwable t) {
                retry(t.getMessage());
            }

            @Override
            public void onCompleted() {
                retry("stream ended");
            }
        });
    }

    private void apply(ChangeNotification n) {
        synchronized (listed) {
            switch (n.getType()) {
                case PEER_ADDED, PEER_UPDATED -> listed.put(n.getAddress(), n.getName());
                case PEER_DELETED -> listed.remove(n.getAddress());
                default -> {
                    return;
                }
            }
            pool.setTargets(source, listed);
        }
    }

    private void retry(String why) {
        if (closed) {
            return;
        }
        long delay = backoff.next().toMillis();
        LOG.warning(() -> source + ": " + why + "; retrying in " + delay + " ms");
        channel.resetConnectBackoff();
        timer.schedule(this::subscribe, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        channel.shutdownNow();
    }
}
