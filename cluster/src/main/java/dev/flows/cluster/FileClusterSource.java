package dev.flows.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The cluster state from a Kubernetes YAML file or folder (the lab, tests, a ConfigMap): read once
 * when made (a file that does not load is an {@link YamlClusterLoader.InvalidClusterException}, as
 * at start nothing else could stand in for it), then checked every {@code poll} by a
 * {@link ClusterFileWatch}; a later version that does not load is reported and skipped.
 */
public final class FileClusterSource implements ClusterSource {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "flows-cluster-files");
        t.setDaemon(true);
        return t;
    });
    private final Path path;
    private final Duration poll;
    private final Consumer<String> warnings;
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final ClusterFileWatch watch;
    private volatile ClusterState current;
    private volatile long lastSyncMillis;
    private volatile Consumer<ClusterState> listener = s -> {};

    /**
     * @param notes what the loader skipped (other kinds), one line each
     * @param warnings a later version that did not load, one line each
     */
    public FileClusterSource(Path path, Duration poll, Consumer<String> notes, Consumer<String> warnings) {
        this.path = path;
        this.poll = poll;
        this.warnings = warnings;
        this.current = new YamlClusterLoader(notes).load(path);
        this.lastSyncMillis = System.currentTimeMillis();
        // made now: a change saved between this load and listen() is still seen
        this.watch = new ClusterFileWatch(path, new YamlClusterLoader(n -> {}), state -> {
            current = state;
            lastSyncMillis = System.currentTimeMillis();
            events.incrementAndGet();
            listener.accept(state);
        }, warning -> {
            rejected.incrementAndGet();
            warnings.accept(warning);
        });
    }

    @Override
    public boolean awaitSynced(Duration timeout) {
        return true;
    }

    @Override
    public ClusterState current() {
        return current;
    }

    @Override
    public void listen(Consumer<ClusterState> onChange) {
        timer.execute(() -> {
            listener = onChange;
            onChange.accept(current);
        });
        long every = poll.toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                watch.poll();
            } catch (RuntimeException e) {
                warnings.accept("applying cluster state from " + path + ": " + e);
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public Stats stats() {
        ClusterState s = current;
        return new Stats("files", true, events.get(), 0, rejected.get(), lastSyncMillis, ClusterSource.counts(s));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
