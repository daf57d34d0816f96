package dev.flows.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The cli's shaded jar, which {@code ./flows} runs, reads cluster YAML as {@code flows lab up} does:
 * through fabric8's model on Jackson 3, which needs the jackson-annotations of its own minor version
 * in the jar. The unit tests of the cluster module cannot see that: their classpath has fabric8's
 * choice, while the cli's also has the Kafka broker's older one, and Maven picks per module (an
 * older one there made every lab up die with NoClassDefFoundError). A manifest with a malformed field
 * is refused before the lab touches the network, so this needs no root and no lab. And a command
 * that fails says so in one line, with no logging library's notices before it.
 */
class CliJarTest {
    @Test
    void labUpFromTheShadedJarRefusesAMalformedManifestWithItsOneLine() throws Exception {
        Path manifest = BuiltJars.ROOT.resolve("cluster/src/test/resources/cluster/bad/malformed-field.yaml");
        Process p = flows("lab", "up", "-f", manifest.toString());
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "no answer from lab up");
        assertEquals("flows: " + manifest + ": Pod shop/web has a malformed field: spec.containers[0].ports = '{containerPort=8080}';"
                + " expected what the Kubernetes Pod schema has there", out.strip());
        assertEquals(1, p.exitValue(), "the exit code of a lab operation that failed");
    }

    /** Port 1 of loopback: nothing listens there. */
    @Test
    void anUnreachableServerIsOneLineWithoutLoggingNotices() throws Exception {
        Process p = flows("observe", "--server", "127.0.0.1:1", "--last", "1");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "no answer from observe");
        assertEquals(List.of("flows: server 127.0.0.1:1: UNAVAILABLE: io exception (Connection refused: /127.0.0.1:1)"), out.strip().lines().toList());
    }

    private static Process flows(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", BuiltJars.of("cli").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FLOWS_HOME", BuiltJars.ROOT.toString());
        return pb.start();
    }
}
