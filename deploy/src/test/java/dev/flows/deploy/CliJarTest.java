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
 * is refused before the lab touches the network, so this needs no root and no lab.
 */
class CliJarTest {
    @Test
    void labUpFromTheShadedJarRefusesAMalformedManifestWithItsOneLine() throws Exception {
        Path jar = BuiltJars.of("cli");
        Path manifest = BuiltJars.ROOT.resolve("cluster/src/test/resources/cluster/bad/malformed-field.yaml");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "lab", "up", "-f", manifest.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FLOWS_HOME", BuiltJars.ROOT.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "no answer: " + cmd);
        assertEquals("flows: " + manifest + ": Pod shop/web has a malformed field: spec.containers[0].ports = '{containerPort=8080}';"
                + " expected what the Kubernetes Pod schema has there", out.strip());
        assertEquals(1, p.exitValue(), "the exit code of a lab operation that failed");
    }
}
