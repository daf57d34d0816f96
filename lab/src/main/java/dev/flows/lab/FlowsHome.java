package dev.flows.lab;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Where the flows checkout lives: FLOWS_HOME (set by the launcher), else found from the running jar. */
public final class FlowsHome {
    private FlowsHome() {}

    public static Path locate() {
        String env = System.getenv("FLOWS_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        try {
            // A jar at HOME/<module>/target/x.jar, or classes at HOME/<module>/target/classes.
            Path here = Path.of(FlowsHome.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path home = here.getParent().getParent().getParent();
            if (Files.isDirectory(home.resolve("deploy/lab"))) {
                return home;
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through to the working directory
        }
        return Path.of("").toAbsolutePath();
    }

    /** The collector's shaded jar under HOME/collector/target. */
    public static Path collectorJar(Path home) {
        return shadedJar(home, "collector");
    }

    /** The relay's shaded jar under HOME/relay/target. */
    public static Path relayJar(Path home) {
        return shadedJar(home, "relay");
    }

    private static Path shadedJar(Path home, String module) {
        Path target = home.resolve(module + "/target");
        String name = "flows-" + module + "-*-all.jar";
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().matches("flows-" + module + "-.*-all\\.jar")).findFirst()
                    .orElseThrow(() -> new LabException("no " + module + " jar (" + name + ") in " + target
                            + "; build it with: mvn -q -DskipTests package (or use --no-collectors)"));
        } catch (IOException e) {
            throw new LabException("no " + module + " jar: cannot list " + target + "; build it with: mvn -q -DskipTests package (or use --no-collectors)");
        }
    }
}
