package dev.flows.deploy;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The strict reading the chart's tests rely on refuses what the API server would not take as written. */
class StrictModelTest {
    private static final String POD_TEMPLATE = """
            ---
            # Source: flows/templates/x.yaml
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: x
            spec:
              selector:
                matchLabels: {a: b}
              template:
                metadata:
                  labels: {a: b}
                spec:
                  containers:
                    - name: x
                      image: x:1
                      %s
            """;

    @Test
    void aMisspeltFieldNamesTheTemplateAndTheField() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Manifests.parse(POD_TEMPLATE.formatted("securitycontext: {}")));
        assertTrue(e.getMessage().startsWith("flows/templates/x.yaml: Unrecognized property \"securitycontext\""), e.getMessage());
    }

    @Test
    void aDuplicateKeyIsRefused() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Manifests.parse(POD_TEMPLATE.formatted("image: x:2")));
        assertTrue(e.getMessage().contains("duplicate key image"), e.getMessage());
    }

    @Test
    void aKindTheChartDoesNotMakeIsRefused() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Manifests.parse("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n"));
        assertTrue(e.getMessage().endsWith("unexpected kind batch/v1/Job"), e.getMessage());
    }

    @Test
    void aWellFormedObjectIsRead() {
        assertTrue(Manifests.parse(POD_TEMPLATE.formatted("args: [a]")).all().size() == 1);
    }
}
