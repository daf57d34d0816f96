package dev.flows.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every flag the chart gives a program is one that program has: the flags come from the built
 * jars' own --help (this module depends on no flows module; the root pom builds it last), and
 * the jar is then started with exactly those arguments and --version, which converts the value of
 * every typed option (a count, a ratio: a bad one fails) and prints the version the image
 * carries. Durations, addresses and sizes are read as text and checked only when the program
 * starts for real, which for the collector needs a node: those stay unchecked here.
 */
class ContainerFlagsTest {
    /** An option line of picocli's usage: two to six spaces, an optional short name, the long name. */
    private static final Pattern OPTION = Pattern.compile("(?m)^ {2,6}(?:-[A-Za-z], )?(--[a-z][a-z0-9-]*)");
    private static final Map<String, Set<String>> HELP = new HashMap<>();

    static List<Chart.ValueSet> valueSets() {
        return Chart.valueSets();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void everyCollectorFlagIsTheCollectorsOwn(Chart.ValueSet values) throws Exception {
        Manifests m = Chart.manifests(values);
        Container c = m.get(DaemonSet.class, "flows-collector").getSpec().getTemplate().getSpec().getContainers().get(0);
        check("collector", ContainerArgs.of(m, c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void everyRelayFlagIsTheRelaysOwn(Chart.ValueSet values) throws Exception {
        Manifests m = Chart.manifests(values);
        Container c = m.get(Deployment.class, "flows-relay").getSpec().getTemplate().getSpec().getContainers().get(0);
        check("relay", ContainerArgs.of(m, c));
    }

    private static void check(String component, List<String> args) throws Exception {
        Path jar = BuiltJars.of(component);
        Set<String> known = HELP.get(component);
        if (known == null) {
            known = options(run(jar, List.of("--help")));
            HELP.put(component, known);
        }
        for (String arg : args) {
            assertTrue(arg.startsWith("--"), component + ": argument '" + arg + "' is not a --flag");
            String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            assertTrue(known.contains(flag), component + ": " + flag + " is not in flows-" + component + " --help: " + known);
        }
        List<String> withVersion = new ArrayList<>(args);
        withVersion.add("--version");
        assertEquals("flows-" + component + " " + Chart.appVersion(), run(jar, withVersion).strip(),
                "the jar's version is the chart's appVersion");
    }

    private static Set<String> options(String help) {
        Set<String> options = new TreeSet<>();
        Matcher m = OPTION.matcher(help);
        while (m.find()) {
            options.add(m.group(1));
        }
        assertTrue(options.contains("--help") && options.size() > 5, "could not read the options of: " + help);
        return options;
    }

    /** Runs the jar; its output, or a failure with its exit code and output. */
    private static String run(Path jar, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "no answer: " + cmd);
        assertEquals(0, p.exitValue(), String.join(" ", args) + " refused: " + out.strip());
        return out;
    }
}
