package dev.flows.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterFileWatchTest {
    private static final String NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n";

    private final List<ClusterState> applied = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();

    private static void write(Path f, String yaml, long mtime) throws Exception {
        Files.writeString(f, yaml);
        Files.setLastModifiedTime(f, FileTime.fromMillis(mtime));
    }

    private static List<String> namespaces(ClusterState s) {
        return s.namespaces().stream().map(Namespace::name).sorted().toList();
    }

    @Test
    void aChangedFolderIsAppliedAndABadFileKeepsThePreviousState(@TempDir Path dir) throws Exception {
        write(dir.resolve("a.yaml"), NAMESPACE.formatted("shop"), 1_000_000);
        ClusterFileWatch watch = new ClusterFileWatch(dir, new YamlClusterLoader(n -> {}), applied::add, errors::add);

        watch.poll();
        assertEquals(List.of(), applied, "nothing changed since the state was loaded");

        write(dir.resolve("b.yaml"), NAMESPACE.formatted("infra"), 2_000_000);
        watch.poll();
        assertEquals(1, applied.size());
        assertEquals(List.of("infra", "shop"), namespaces(applied.get(0)));

        write(dir.resolve("b.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: [not, a, mapping]\n", 3_000_000);
        watch.poll();
        assertEquals(1, applied.size(), "a file that does not load is not applied");
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).startsWith("cluster state " + dir + " not applied, keeping the previous one: "), errors.get(0));
        assertTrue(errors.get(0).contains("b.yaml"), "names the bad file: " + errors.get(0));
        assertEquals(-1, errors.get(0).indexOf('\n'), "one line");

        Files.delete(dir.resolve("b.yaml"));
        watch.poll();
        assertEquals(List.of("shop"), namespaces(applied.get(1)), "a removed file removes its objects");
    }
}
