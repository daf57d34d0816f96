package dev.flows.relay.peers;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Collectors behind a DNS name with one address per collector (a headless Service), resolved
 * again every refresh interval so collectors that come and go are followed. A failed lookup keeps
 * the last answer: a DNS hiccup must not disconnect the whole cluster.
 */
public final class DnsPeers implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DnsPeers.class.getName());

    /** The lookup, a seam for tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final String host;
    private final int port;
    private final Resolver resolver;
    private final PeerPool pool;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "flows-dns-peers");
        t.setDaemon(true);
        return t;
    });

    public DnsPeers(String host, int port, Resolver resolver, PeerPool pool) {
        this.host = host;
        this.port = port;
        this.resolver = resolver;
        this.pool = pool;
    }

    /** Resolves now, then every {@code refresh}. */
    public DnsPeers start(Duration refresh) {
        timer.scheduleWithFixedDelay(this::resolveOnce, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    void resolveOnce() {
        try {
            Map<String, String> targets = new LinkedHashMap<>();
            for (InetAddress a : resolver.resolve(host)) {
                String ip = a.getHostAddress();
                targets.put(ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port, "");
            }
            pool.setTargets("dns " + host, targets);
        } catch (UnknownHostException | RuntimeException e) {
            LOG.warning(() -> "resolving " + host + " failed (keeping the last answer): " + e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
