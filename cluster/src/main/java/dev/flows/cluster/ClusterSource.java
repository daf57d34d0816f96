package dev.flows.cluster;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where the cluster state comes from: the Kubernetes API server ({@link KubernetesClusterSource})
 * or Kubernetes YAML files ({@link FileClusterSource}). Its consumers (enrichment, service
 * programming, the policy compiler) receive whole {@link ClusterState}s and diff them themselves;
 * none of them knows which source it reads.
 *
 * <p>A source starts reading when it is made. It offers a state only once it is complete (every
 * kind read at least once), and keeps offering the last one it had while its origin is away: a
 * lost API server or an unreadable file never empties the state.
 */
public interface ClusterSource extends AutoCloseable {

    /** Waits until the first complete state is there; false when {@code timeout} passed first. */
    boolean awaitSynced(Duration timeout) throws InterruptedException;

    /** The latest complete state; {@link ClusterState#EMPTY} before the first. */
    ClusterState current();

    /**
     * Hands {@code onChange} the current state at once, then every later one, in order, on one
     * thread of the source. Call it once.
     */
    void listen(Consumer<ClusterState> onChange);

    /** What the source did so far, for metrics. Safe to call from any thread. */
    Stats stats();

    /** Stops reading; the last state stays what {@link #current()} returns. */
    @Override
    void close();

    /**
     * A source's counters.
     *
     * @param source "api" or "files"
     * @param synced true once the first complete state is there
     * @param events changes received (watch events; for files, new versions of the files)
     * @param restarts times reading had to start again (a watch lost or refused, a relist)
     * @param rejected objects the model refused (each one logged with its reason)
     * @param lastSyncMillis wall time (ms since the epoch) of the last complete read, 0 before the first
     * @param objects objects held, by kind (Node, Namespace, Pod, Service, EndpointSlice, NetworkPolicy)
     */
    record Stats(String source, boolean synced, long events, long restarts, long rejected, long lastSyncMillis,
            Map<String, Integer> objects) {}

    /** The object counts of a state, by kind, as {@link Stats#objects()} holds them. */
    static Map<String, Integer> counts(ClusterState s) {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("Node", s.nodes().size());
        m.put("Namespace", s.namespaces().size());
        m.put("Pod", s.pods().size());
        m.put("Service", s.services().size());
        m.put("EndpointSlice", s.endpointSlices().size());
        m.put("NetworkPolicy", s.policies().size());
        return m;
    }

    /** A source that never changes: a state given by the caller (tests, benchmarks). */
    static ClusterSource fixed(ClusterState state) {
        long at = System.currentTimeMillis();
        return new ClusterSource() {
            @Override public boolean awaitSynced(Duration timeout) { return true; }
            @Override public ClusterState current() { return state; }
            @Override public void listen(Consumer<ClusterState> onChange) { onChange.accept(state); }
            @Override public Stats stats() { return new Stats("fixed", true, 0, 0, 0, at, counts(state)); }
            @Override public void close() {}
        };
    }
}
