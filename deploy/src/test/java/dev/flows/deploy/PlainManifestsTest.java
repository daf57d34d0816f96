package dev.flows.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes/flows.yaml is the chart's default rendering, for `kubectl apply -f` without
 * Helm, less the TLS Secrets the chart generates: their keys are new with every rendering, and a
 * CA key published in a repository would let anyone read the flows of every cluster that applied
 * it. The header says how to make them. Run with -Dflows.deploy.regenerate=true to write it
 * instead of checking it.
 */
class PlainManifestsTest {
    static final String REGENERATE = "mvn -B -ntp -q -pl deploy test -Dtest=PlainManifestsTest -Dflows.deploy.regenerate=true";
    private static final String GENERATED_SECRETS = "templates/tls-helm.yaml";

    @Test
    void plainManifestsAreTheChartsDefaultRenderingWithoutItsKeys() throws IOException {
        String header = "# The flows chart (deploy/helm/flows) rendered with its default values, release \""
                + Chart.RELEASE + "\" in namespace " + Chart.NAMESPACE + ",\n"
                + "# less the four TLS Secrets the pods mount (flows-collector-tls, flows-relay-server-tls, flows-relay-client-tls,\n"
                + "# and flows-cli-client-tls for users): each install needs its own CA. Make them before applying this file:\n"
                + "#   helm template flows deploy/helm/flows -n " + Chart.NAMESPACE + " --show-only " + GENERATED_SECRETS + " | kubectl apply -f -\n"
                + "# (or as cert-manager Certificates: --show-only templates/tls-certmanager.yaml --set tls.method=certmanager\n"
                + "# --set tls.certManagerIssuerRef.kind=ClusterIssuer --set tls.certManagerIssuerRef.name=YOUR-CA-ISSUER).\n"
                + "# Generated: " + REGENERATE + "\n";
        String rendered = Chart.render(Chart.valueSets().get(0));
        String expected = header + withoutGeneratedSecrets(rendered);
        if (Boolean.getBoolean("flows.deploy.regenerate")) {
            Files.writeString(Chart.PLAIN_MANIFESTS, expected);
            return;
        }
        String actual = Files.exists(Chart.PLAIN_MANIFESTS) ? Files.readString(Chart.PLAIN_MANIFESTS) : "";
        if (!actual.equals(expected)) {
            fail("deploy/kubernetes/flows.yaml is not the chart's default rendering; regenerate it: " + REGENERATE);
        }
        assertTrue(Manifests.parse(actual).all(Secret.class).isEmpty(), "no key in the repository");
    }

    /** The documents of a rendering, less those of the template that generates Secrets. */
    private static String withoutGeneratedSecrets(String rendered) {
        List<String> docs = new ArrayList<>(List.of(rendered.split("(?m)^(?=---\\s*$)")));
        int before = docs.size();
        docs.removeIf(d -> d.contains("# Source: flows/" + GENERATED_SECRETS + "\n"));
        assertTrue(before - docs.size() == 4, "the four generated Secrets: " + (before - docs.size()));
        return String.join("", docs);
    }
}
