package dev.flows.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart under deploy/helm/flows and the ways the tests render it: Helm's own library
 * (helm-java), release "flows" in kube-system, as the plain manifests are rendered.
 */
final class Chart {
    static final Path DIR = Path.of("helm/flows");
    static final Path PLAIN_MANIFESTS = Path.of("kubernetes/flows.yaml");
    static final String RELEASE = "flows";
    static final String NAMESPACE = "kube-system";

    /** A documented set of values: the defaults, or one file of ci/. */
    record ValueSet(String name, Path file) {
        @Override
        public String toString() {
            return name;
        }
    }

    private Chart() {
    }

    static String appVersion() {
        try {
            Map<String, Object> chart = new Yaml().load(Files.readString(DIR.resolve("Chart.yaml")));
            return String.valueOf(chart.get("appVersion"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The defaults first, then every value file the chart documents under ci/. */
    static List<ValueSet> valueSets() {
        List<ValueSet> sets = new ArrayList<>(List.of(new ValueSet("default", null)));
        try (Stream<Path> files = Files.list(DIR.resolve("ci"))) {
            files.filter(f -> f.toString().endsWith(".yaml")).sorted()
                    .forEach(f -> sets.add(new ValueSet(f.getFileName().toString(), f)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sets;
    }

    static String render(ValueSet values) {
        return render(values, Map.of());
    }

    /** helm template with the value set and --set overrides; Helm's error is the exception's message. */
    static String render(ValueSet values, Map<String, Object> set) {
        TemplateCommand template = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE);
        if (values.file() != null) {
            template = template.withValuesFile(values.file());
        }
        for (Map.Entry<String, Object> e : set.entrySet()) {
            template = template.set(e.getKey(), e.getValue());
        }
        return template.call();
    }

    /** NOTES.txt as `helm install` prints it after installing (a client-only dry run: no cluster). */
    static String notes(ValueSet values) {
        InstallCommand install = new Helm(DIR).install().withName(RELEASE).withNamespace(NAMESPACE).clientOnly().dryRun();
        if (values.file() != null) {
            install = install.withValuesFile(values.file());
        }
        String out = install.call().getOutput();
        return out.substring(out.indexOf("NOTES:"));
    }

    static Manifests manifests(ValueSet values) {
        return Manifests.parse(render(values));
    }
}
