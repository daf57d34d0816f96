package dev.flows.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No container engine runs here, so the images are never built; what can be checked is that each
 * Dockerfile copies the jar the build makes (named as in its build context) and starts that file.
 */
class ImagesTest {
    private static final Pattern COPY = Pattern.compile("(?m)^COPY (\\S+) (\\S+)$");
    private static final Pattern JAR = Pattern.compile("\"-jar\", \"([^\"]+)\"");

    @ParameterizedTest
    @ValueSource(strings = {"collector", "relay"})
    void theDockerfileStartsTheJarTheBuildMakes(String component) throws IOException {
        String dockerfile = Files.readString(Path.of("images", component, "Dockerfile"));
        Matcher copy = COPY.matcher(dockerfile);
        assertTrue(copy.find(), component + ": no COPY");
        String source = copy.group(1).replace("${VERSION}", System.getProperty("flows.version"));
        Path context = BuiltJars.ROOT.resolve(component).resolve("target");
        assertTrue(Files.exists(context.resolve(source)), component + ": COPY " + source + " is not in its build context " + context);
        Matcher jar = JAR.matcher(dockerfile);
        assertTrue(jar.find(), component + ": no -jar in ENTRYPOINT");
        assertEquals(copy.group(2), jar.group(1), component + ": ENTRYPOINT starts another file than the one copied");
    }

    @ParameterizedTest
    @ValueSource(strings = {"relay"})
    void theImagesUserIsTheOneTheChartRunsAs(String component) throws IOException {
        String dockerfile = Files.readString(Path.of("images", component, "Dockerfile"));
        PodSpec pod = Chart.manifests(Chart.valueSets().get(0)).get(Deployment.class, "flows-" + component)
                .getSpec().getTemplate().getSpec();
        long uid = pod.getSecurityContext().getRunAsUser();
        assertTrue(dockerfile.contains("\nUSER " + uid + ":" + pod.getSecurityContext().getRunAsGroup() + "\n"),
                component + ": the image's USER is not " + uid);
    }
}
