package dev.flows.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Notices changes of a cluster YAML file or folder and hands each new state on. Polled, not
 * inotify: editors replace files by rename, and a folder's files come and go; the fingerprint
 * (every YAML file's path, size and modification time) catches all of it for a few stat calls.
 * A state that does not load is reported in one line and skipped: the last good state stays.
 *
 * <p>{@link #poll()} runs on one thread (the collector's timer).
 */
public final class ClusterFileWatch {
    private final Path path;
    private final YamlClusterLoader loader;
    private final Consumer<ClusterState> onChange;
    private final Consumer<String> onError;
    private List<String> fingerprint;

    /** Watches {@code path}, whose current content is the state already applied. */
    public ClusterFileWatch(Path path, YamlClusterLoader loader, Consumer<ClusterState> onChange, Consumer<String> onError) {
        this.path = path;
        this.loader = loader;
        this.onChange = onChange;
        this.onError = onError;
        this.fingerprint = fingerprint();
    }

    /** Loads and hands on the state if the files changed since the last poll. */
    public void poll() {
        List<String> now = fingerprint();
        if (now.equals(fingerprint)) {
            return;
        }
        fingerprint = now;
        ClusterState state;
        try {
            state = loader.load(path);
        } catch (YamlClusterLoader.InvalidClusterException | UncheckedIOException e) {
            onError.accept("cluster state " + path + " not applied, keeping the previous one: "
                    + String.valueOf(e.getMessage()).replace('\n', ' '));
            return;
        }
        onChange.accept(state);
    }

    private List<String> fingerprint() {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.isDirectory(path) ? Files.list(path) : Stream.of(path)) {
            files.filter(Files::isRegularFile).sorted().forEach(f -> {
                try {
                    out.add(f + " " + Files.size(f) + " " + Files.getLastModifiedTime(f).toMillis());
                } catch (IOException e) {
                    out.add(f + " gone");
                }
            });
        } catch (IOException | UncheckedIOException e) {
            out.add("unreadable: " + e.getMessage());
        }
        return out;
    }
}
