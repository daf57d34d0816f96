package dev.flows.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileClusterSourceTest {
    private static final String NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n";

    private final List<ClusterState> received = new CopyOnWriteArrayList<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();

    @Test
    void theFilesStateThenEachSavedChangeAndABadVersionKeepsTheLastOne(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("cluster.yaml");
        write(f, NAMESPACE.formatted("shop"), 1_000_000);
        try (FileClusterSource source = new FileClusterSource(f, Duration.ofMillis(20), n -> {}, warnings::add)) {
            assertTrue(source.awaitSynced(Duration.ZERO));
            source.listen(received::add);
            await(() -> received.size() == 1);
            assertEquals(List.of("shop"), names(received.get(0)));

            write(f, NAMESPACE.formatted("infra"), 2_000_000);
            await(() -> received.size() == 2);
            assertEquals(List.of("infra"), names(source.current()));

            write(f, "kind: Namespace\nmetadata: [bad]\n", 3_000_000);
            await(() -> warnings.size() == 1);
            assertEquals(List.of("infra"), names(source.current()), "a bad version is not applied");
            ClusterSource.Stats st = source.stats();
            assertEquals("files", st.source());
            assertEquals(1, st.events());
            assertEquals(1, st.rejected());
            assertEquals(1, st.objects().get("Namespace"));
        }
    }

    @Test
    void aFileThatDoesNotLoadAtStartIsRefusedInOneLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "kind: Pod\nmetadata: {}\n");
        YamlClusterLoader.InvalidClusterException e = assertThrows(YamlClusterLoader.InvalidClusterException.class,
                () -> new FileClusterSource(f, Duration.ofSeconds(1), n -> {}, warnings::add));
        assertEquals(f + ": Pod in document 1 has no name: metadata.name = (missing); expected a non-empty name", e.getMessage());
    }

    private static void write(Path f, String yaml, long mtime) throws Exception {
        Files.writeString(f, yaml);
        Files.setLastModifiedTime(f, FileTime.fromMillis(mtime));
    }

    private static List<String> names(ClusterState s) {
        return s.namespaces().stream().map(Namespace::name).sorted().toList();
    }

    private static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not reached in 5 s");
            }
            Thread.sleep(10);
        }
    }
}
