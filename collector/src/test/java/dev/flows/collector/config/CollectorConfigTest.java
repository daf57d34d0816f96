package dev.flows.collector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster source settings: defaults, and one line naming the flag for each bad value. */
class CollectorConfigTest {

    private static CollectorConfig parse(String... args) {
        // these tests are about other settings: plaintext, as the TLS tests below say explicitly
        String[] plaintext = java.util.Arrays.copyOf(args, args.length + 1);
        plaintext[args.length] = "--disable-server-tls";
        CollectorConfig c = Options.parse(new CollectorConfig(), plaintext);
        c.validate();
        return c;
    }

    private static String refused(String... args) {
        return assertThrows(ConfigException.class, () -> parse(args)).getMessage();
    }

    @Test
    void filesByDefaultApiWhenAsked(@TempDir Path dir) throws Exception {
        CollectorConfig c = parse("--node-name", "n1");
        assertFalse(c.clusterFromApi());
        assertNull(c.clusterState());
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\n");
        c = parse("--node-name", "n1", "--cluster-source", "api", "--kubeconfig", kubeconfig.toString(), "--cluster-sync-timeout", "30s");
        assertTrue(c.clusterFromApi());
        assertEquals(kubeconfig, c.kubeconfig());
        assertEquals(Duration.ofSeconds(30), c.clusterSyncTimeout());
        assertEquals(Duration.ofMinutes(2), parse("--cluster-source=api").clusterSyncTimeout());
    }

    @Test
    void eachBadValueIsOneLineNamingItsFlag(@TempDir Path dir) {
        assertEquals("--cluster-source apiserver: must be api or files", refused("--cluster-source", "apiserver"));
        assertEquals("--cluster-state " + dir + ": read only with --cluster-source=files, not api",
                refused("--cluster-source", "api", "--cluster-state", dir.toString()));
        assertEquals("--kubeconfig /k: read only with --cluster-source=api, not files", refused("--kubeconfig", "/k"));
        assertEquals("--kubeconfig " + dir.resolve("none") + ": no such readable file",
                refused("--cluster-source", "api", "--kubeconfig", dir.resolve("none").toString()));
        assertEquals("--cluster-sync-timeout 0s: must be more than 0, e.g. 2m", refused("--cluster-source", "api", "--cluster-sync-timeout", "0s"));
        assertTrue(refused("--cluster-source", "api", "--cluster-sync-timeout", "soon").startsWith("--cluster-sync-timeout soon"));
    }

    @Test
    void tlsIsOnByDefaultAndPlaintextIsAskedFor() {
        CollectorConfig c = Options.parse(new CollectorConfig(), "--node-name", "n");
        assertEquals("TLS is on by default: --tls-server-cert-file, --tls-server-key-file and --tls-client-ca-files are "
                + "required (or --disable-server-tls to serve in plaintext)", assertThrows(ConfigException.class, c::validate).getMessage());
        CollectorConfig d = Options.parse(new CollectorConfig(), "--node-name", "n", "--tls-server-cert-file", "/nonexistent/cert.pem",
                "--tls-server-key-file", "/nonexistent/key.pem", "--tls-client-ca-files", "/nonexistent/ca.pem");
        assertEquals("--tls-server-cert-file /nonexistent/cert.pem: not a readable file (expected a PEM file)",
                assertThrows(ConfigException.class, d::validate).getMessage());
    }
}
