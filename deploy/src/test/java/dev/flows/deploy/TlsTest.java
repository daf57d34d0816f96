package dev.flows.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the chart's TLS hands the programs: Secrets or cert-manager Certificates for every secret a
 * pod mounts, every TLS flag pointing at a file of a mounted secret, the certificates naming what
 * the programs check. The handshakes themselves are {@link TlsHandshakeTest}'s.
 */
class TlsTest {
    private static final Pattern TLS_FILE_FLAG = Pattern.compile("--tls-[a-z-]+-files?=(.+)");

    static List<Chart.ValueSet> valueSets() {
        return Chart.valueSets();
    }

    /** Each secret a pod mounts is made by the release: a Secret (tls.method=helm) or a Certificate's secretName (certmanager). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void everySecretAPodMountsIsMadeByTheRelease(Chart.ValueSet values) {
        Manifests m = Chart.manifests(values);
        Set<String> made = new HashSet<>();
        m.all(Secret.class).forEach(s -> made.add(s.getMetadata().getName()));
        m.certificates().forEach(c -> made.add(String.valueOf(spec(c).get("secretName"))));
        assertTrue(m.all(Secret.class).isEmpty() || m.certificates().isEmpty(), "one method at a time");
        for (PodSpec pod : m.podSpecs()) {
            for (Volume v : pod.getVolumes()) {
                if (v.getSecret() != null) {
                    assertTrue(made.contains(v.getSecret().getSecretName()),
                            "volume " + v.getName() + " mounts " + v.getSecret().getSecretName() + ", which the release does not make: " + made);
                }
            }
        }
    }

    /** A --tls-*-file(s) flag names tls.crt, tls.key or ca.crt of a secret volume the container mounts (without subPath: rotation). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void everyTlsFileFlagIsAFileOfAMountedSecret(Chart.ValueSet values) {
        Manifests m = Chart.manifests(values);
        for (PodSpec pod : m.podSpecs()) {
            for (Container c : pod.getContainers()) {
                for (String arg : ContainerArgs.of(m, c)) {
                    Matcher flag = TLS_FILE_FLAG.matcher(arg);
                    if (!flag.matches()) {
                        continue;
                    }
                    Path file = Path.of(flag.group(1));
                    assertTrue(Set.of("tls.crt", "tls.key", "ca.crt").contains(file.getFileName().toString()), arg);
                    VolumeMount mount = c.getVolumeMounts().stream().filter(v -> Path.of(v.getMountPath()).equals(file.getParent()))
                            .findFirst().orElseThrow(() -> new AssertionError(c.getName() + ": " + arg + " is on no mount"));
                    assertEquals(null, mount.getSubPath(), c.getName() + ": a subPath mount is never updated");
                    Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
                    assertTrue(volume.getSecret() != null, c.getName() + ": " + arg + " is not on a secret volume");
                }
            }
        }
    }

    /** The relay checks any collector as <node>.flows-collector.flows.dev: one certificate serves every node. */
    @Test
    void theCollectorCertificateNamesEveryNode() throws Exception {
        X509Certificate collector = certificate(Chart.manifests(Chart.valueSets().get(0)), "flows-collector-tls");
        assertTrue(dnsNames(collector).contains("*." + serverNames().get("COLLECTOR_DOMAIN")), dnsNames(collector).toString());
        assertTrue(dnsNames(collector).contains("flows-collector.kube-system.svc.cluster.local"),
                "the Peer service is dialled by the headless Service's name: " + dnsNames(collector));
        X509Certificate relay = certificate(Chart.manifests(Chart.valueSets().get(0)), "flows-relay-server-tls");
        assertTrue(dnsNames(relay).containsAll(List.of(serverNames().get("RELAY"), "flows-relay.kube-system.svc.cluster.local")),
                dnsNames(relay).toString());
    }

    /** cert-manager is asked for the same four certificates, with keys the programs can read (PKCS #8). */
    @Test
    void certManagerIssuesTheSameCertificatesWithReadableKeys() {
        Manifests helm = Chart.manifests(Chart.valueSets().get(0));
        Manifests cm = Chart.manifests(Chart.valueSets().stream().filter(v -> v.name().equals("certmanager.yaml")).findFirst().orElseThrow());
        assertEquals(helm.all(Secret.class).stream().map(s -> s.getMetadata().getName()).toList(),
                cm.certificates().stream().map(c -> String.valueOf(spec(c).get("secretName"))).toList());
        for (GenericKubernetesResource c : cm.certificates()) {
            Map<String, Object> spec = spec(c);
            @SuppressWarnings("unchecked")
            Map<String, Object> key = (Map<String, Object>) spec.get("privateKey");
            assertEquals("PKCS8", key.get("encoding"), c.getMetadata().getName() + ": grpc-java reads PKCS #8 keys only");
            assertEquals(Map.of("group", "cert-manager.io", "kind", "ClusterIssuer", "name", "flows-ca"), spec.get("issuerRef"));
            assertEquals("2160h", spec.get("duration"), "validityDays 90");
        }
        @SuppressWarnings("unchecked")
        List<String> collectorNames = (List<String>) spec(cm.certificates().get(0)).get("dnsNames");
        assertEquals(List.of("*." + serverNames().get("COLLECTOR_DOMAIN"), "flows-collector.kube-system.svc.cluster.local",
                "flows-collector.kube-system.svc"), collectorNames);
        List<String> relay = ContainerArgs.of(cm, cm.get(Deployment.class, "flows-relay").getSpec().getTemplate().getSpec().getContainers().get(0));
        assertTrue(relay.stream().noneMatch(a -> a.startsWith("--tls-relay-client-ca-files")), "requireClientCert: false: " + relay);
    }

    /** After an install, NOTES.txt tells how to take the CLI's certificate from a Secret the release makes, and connect with it. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void theNotesTellHowToConnect(Chart.ValueSet values) {
        String notes = Chart.notes(values);
        Manifests m = Chart.manifests(values);
        if (m.all(Secret.class).isEmpty() && m.certificates().isEmpty()) {
            assertTrue(notes.contains("flows observe --server 127.0.0.1:4245"), notes);
            return;
        }
        String relayName = serverNames().get("RELAY");
        assertTrue(notes.contains("flows observe --server tls://127.0.0.1:4245 --tls-server-name " + relayName), notes);
        assertTrue(notes.contains("hubble observe --server tls://127.0.0.1:4245 --tls-server-name " + relayName), notes);
        for (String file : List.of("ca\\.crt", "tls\\.crt", "tls\\.key")) {
            assertTrue(notes.contains("get secret flows-cli-client-tls -o jsonpath='{.data." + file + "}'"), file + ": " + notes);
        }
        assertTrue(m.find(Secret.class, "flows-cli-client-tls").isPresent()
                || m.certificates().stream().anyMatch(c -> "flows-cli-client-tls".equals(spec(c).get("secretName"))), "the release makes it");
    }

    /** The chart states the programs' server names (templates/_tls.tpl); they are defined in ServerNames.java. */
    @Test
    void theChartsServerNamesAreThePrograms() throws Exception {
        String tpl = Files.readString(Chart.DIR.resolve("templates/_tls.tpl"));
        assertTrue(tpl.contains("define \"flows.tls.collectorDomain\" -}}" + serverNames().get("COLLECTOR_DOMAIN") + "{{"), tpl);
        assertTrue(tpl.contains("define \"flows.tls.relayName\" -}}" + serverNames().get("RELAY") + "{{"), tpl);
    }

    /** The string constants of observer's ServerNames, read from its source (this module depends on no flows module). */
    static Map<String, String> serverNames() {
        String source;
        try {
            source = Files.readString(BuiltJars.ROOT.resolve("observer/src/main/java/dev/flows/observer/tls/ServerNames.java"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> constants = new HashMap<>();
        Matcher m = Pattern.compile("static final String (\\w+) = \"([^\"]+)\";").matcher(source);
        while (m.find()) {
            constants.put(m.group(1), m.group(2));
        }
        assertEquals(Set.of("COLLECTOR_DOMAIN", "RELAY"), constants.keySet(), "the constants of ServerNames.java");
        return constants;
    }

    /** The PEM files of a rendered Secret: key → content. */
    static Map<String, String> files(Manifests m, String secret) {
        Map<String, String> files = new HashMap<>();
        m.get(Secret.class, secret).getData().forEach((k, v) -> files.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.US_ASCII)));
        return files;
    }

    private static X509Certificate certificate(Manifests m, String secret) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(files(m, secret).get("tls.crt").getBytes(StandardCharsets.US_ASCII)));
    }

    private static List<String> dnsNames(X509Certificate cert) throws Exception {
        List<String> names = new ArrayList<>();
        assertFalse(cert.getSubjectAlternativeNames() == null, cert.getSubjectX500Principal() + ": no SAN");
        for (List<?> san : cert.getSubjectAlternativeNames()) {
            if (Integer.valueOf(2).equals(san.get(0))) {
                names.add((String) san.get(1));
            }
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource r) {
        return (Map<String, Object>) r.getAdditionalProperties().get("spec");
    }
}
