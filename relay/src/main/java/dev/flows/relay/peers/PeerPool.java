package dev.flows.relay.peers;

import dev.flows.proto.relay.NodeState;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiFunction;
import java.util.logging.Logger;

/**
 * Every collector the relay knows, keyed by address: the union of what each discovery source
 * (static list, DNS, Peer.Notify) currently lists. A peer that appears gets a channel and health
 * checks; one that disappears from every source is closed and announced as NODE_GONE. State
 * changes go to the registered listeners (the open GetFlows streams, the log).
 */
public final class PeerPool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PeerPool.class.getName());

    private final BiFunction<String, String, ManagedChannel> channels;
    private final Duration healthInterval;
    private final Duration backoffInitial;
    private final Duration backoffMax;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Map<String, String>> targetsBySource = new HashMap<>();
    private final Map<String, Peer> peers = new LinkedHashMap<>();
    private final List<PeerListener> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param channels opens a channel to "host:port" of the named node (blank when not known); the seam for tests
     * @param healthInterval how often a healthy peer is checked
     */
    public PeerPool(BiFunction<String, String, ManagedChannel> channels, Duration healthInterval,
            Duration backoffInitial, Duration backoffMax) {
        this.channels = channels;
        this.healthInterval = healthInterval;
        this.backoffInitial = backoffInitial;
        this.backoffMax = backoffMax;
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "flows-peers");
            t.setDaemon(true);
            return t;
        });
        listeners.add((p, s, m) -> LOG.info(() -> "peer " + p.name() + " " + s + ": " + m));
    }

    /** Replaces what one discovery source lists: address → node name (blank when not known). */
    public synchronized void setTargets(String source, Map<String, String> addressToName) {
        targetsBySource.put(source, new LinkedHashMap<>(addressToName));
        Map<String, String> wanted = new LinkedHashMap<>();
        targetsBySource.values().forEach(m -> m.forEach(wanted::putIfAbsent));
        for (Map.Entry<String, String> e : wanted.entrySet()) {
            if (!peers.containsKey(e.getKey())) {
                Peer p = new Peer(e.getValue(), e.getKey(), channels.apply(e.getKey(), e.getValue()), scheduler, healthInterval,
                        new Backoff(backoffInitial, backoffMax), this::fire);
                peers.put(e.getKey(), p);
                p.start();
            }
        }
        for (Peer p : new ArrayList<>(peers.values())) {
            if (!wanted.containsKey(p.address())) {
                peers.remove(p.address());
                p.close();
                fire(p, NodeState.NODE_GONE, p.address() + " is no longer listed");
            }
        }
    }

    private void fire(Peer p, NodeState state, String message) {
        for (PeerListener l : listeners) {
            l.changed(p, state, message);
        }
    }

    /** Every known peer, in discovery order. */
    public synchronized List<Peer> peers() {
        return new ArrayList<>(peers.values());
    }

    public void addListener(PeerListener l) {
        listeners.add(l);
    }

    public void removeListener(PeerListener l) {
        listeners.remove(l);
    }

    @Override
    public synchronized void close() {
        scheduler.shutdownNow();
        peers.values().forEach(Peer::close);
        peers.clear();
    }
}
