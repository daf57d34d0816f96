package dev.flows.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The shaded jars the build makes (this module depends on no flows module; the root pom builds it
 * last), each refused when it is missing or older than a source or pom it is built from, so a test
 * never passes on a jar that is not the one the sources make.
 */
final class BuiltJars {
    /** The checkout: this module's parent folder. */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    /** component → what its jar is built from (the poms choose the versions of what it bundles). */
    private static final Map<String, List<String>> SOURCES = Map.of(
            "collector", List.of("collector/src/main", "observer/src/main", "cluster/src/main", "bpf",
                    "pom.xml", "collector/pom.xml", "observer/pom.xml", "cluster/pom.xml"),
            "relay", List.of("relay/src/main", "observer/src/main", "pom.xml", "relay/pom.xml", "observer/pom.xml"),
            "cli", List.of("cli/src/main", "lab/src/main", "observer/src/main", "cluster/src/main",
                    "pom.xml", "cli/pom.xml", "lab/pom.xml", "observer/pom.xml", "cluster/pom.xml"));

    private BuiltJars() {}

    static Path of(String component) throws IOException {
        Path jar = ROOT.resolve(component + "/target/flows-" + component + "-" + System.getProperty("flows.version") + "-all.jar");
        String build = "mvn -B -ntp -q -DskipTests package -pl " + component + " -am";
        assertTrue(Files.exists(jar), jar + " is missing; build it: " + build);
        FileTime built = Files.getLastModifiedTime(jar);
        for (String source : SOURCES.get(component)) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(source))) {
                Path newer = files.filter(Files::isRegularFile)
                        .filter(f -> lastModified(f).compareTo(built) > 0).findFirst().orElse(null);
                assertEquals(null, newer, jar.getFileName() + " is older than " + newer + "; rebuild it: " + build);
            }
        }
        return jar;
    }

    private static FileTime lastModified(Path f) {
        try {
            return Files.getLastModifiedTime(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
