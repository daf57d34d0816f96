package dev.flows.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes/flows.yaml is the chart's default rendering, for `kubectl apply -f` without
 * Helm. Run with -Dflows.deploy.regenerate=true to write it instead of checking it.
 */
class PlainManifestsTest {
    static final String REGENERATE = "mvn -B -ntp -q -pl deploy test -Dtest=PlainManifestsTest -Dflows.deploy.regenerate=true";

    @Test
    void plainManifestsAreTheChartsDefaultRendering() throws IOException {
        String header = "# The flows chart (deploy/helm/flows) rendered with its default values, release \""
                + Chart.RELEASE + "\" in namespace " + Chart.NAMESPACE + ".\n# Generated: " + REGENERATE + "\n";
        String expected = header + Chart.render(Chart.valueSets().get(0));
        if (Boolean.getBoolean("flows.deploy.regenerate")) {
            Files.writeString(Chart.PLAIN_MANIFESTS, expected);
            return;
        }
        String actual = Files.exists(Chart.PLAIN_MANIFESTS) ? Files.readString(Chart.PLAIN_MANIFESTS) : "";
        if (!actual.equals(expected)) {
            fail("deploy/kubernetes/flows.yaml is not the chart's default rendering; regenerate it: " + REGENERATE);
        }
    }
}
