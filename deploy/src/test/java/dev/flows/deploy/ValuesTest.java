package dev.flows.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Values reach the programs unchanged through the settings ConfigMap, and bad values stop the install with one line. */
class ValuesTest {
    private static final Chart.ValueSet DEFAULTS = Chart.valueSets().get(0);

    private static Chart.ValueSet set(String name) {
        return Chart.valueSets().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<String> relayArgs(Manifests m) {
        Container c = m.get(Deployment.class, "flows-relay").getSpec().getTemplate().getSpec().getContainers().get(0);
        return ContainerArgs.of(m, c);
    }

    private static List<String> collectorArgs(Manifests m) {
        Container c = m.get(DaemonSet.class, "flows-collector").getSpec().getTemplate().getSpec().getContainers().get(0);
        return ContainerArgs.of(m, c);
    }

    @Test
    void valuesWithSpacesQuotesAndHashesArriveAsWritten() {
        List<String> args = relayArgs(Chart.manifests(set("exporters.yaml")));
        assertTrue(args.contains("--kafka-property=client.id=flows relay \"eu-1\" #2"), args.toString());
        assertTrue(args.contains("--metrics=flow:sourceContext=workload|ip;destinationContext=namespace"), args.toString());
        assertTrue(args.contains("--kafka-drops-topic"), "dropsTopic: true is the flag alone: " + args);
        assertTrue(args.contains("--kafka-policy-topic=cluster-flows.policy"), args.toString());
        assertTrue(args.contains("--otlp-sampling-ratio=0.1"), args.toString());
    }

    @Test
    void serviceMonitorsScrapeTheRelayAndTheCollectorsWhenAsked() {
        assertEquals(List.of(), Chart.manifests(DEFAULTS).serviceMonitors(), "off by default: the CRD may be absent");
        List<String> names = Chart.manifests(set("exporters.yaml")).serviceMonitors().stream()
                .map(s -> s.getMetadata().getName()).toList();
        assertEquals(List.of("flows-relay", "flows-collector"), names);
    }

    /**
     * The programs read their flags only at start, so a change of a component's flags must change
     * its pod template (the pods roll), and only its own: a collector roll leaves a node without flows.
     */
    @Test
    void aSettingsChangeRollsTheComponentItConcerns() {
        List<String> before = checksums(Chart.manifests(DEFAULTS));
        List<String> relayChanged = checksums(Manifests.parse(Chart.render(DEFAULTS, Map.of("relay.sortWindow", "2s"))));
        List<String> collectorChanged = checksums(Manifests.parse(Chart.render(DEFAULTS, Map.of("collector.uplink", "ens5"))));
        assertEquals(2, before.size(), "the collector's and the relay's pod templates");
        assertTrue(before.get(0) != null && before.get(1) != null, before.toString());
        assertEquals(before.get(0), relayChanged.get(0), "a relay setting rolls the collectors");
        assertTrue(!before.get(1).equals(relayChanged.get(1)), "a relay setting does not roll the relay");
        assertTrue(!before.get(0).equals(collectorChanged.get(0)), "a collector setting does not roll the collectors");
        assertEquals(before.get(1), collectorChanged.get(1), "a collector setting rolls the relay");
    }

    private static List<String> checksums(Manifests m) {
        return m.podTemplates().stream().map(t -> t.getMetadata().getAnnotations().get("checksum/settings")).toList();
    }

    @Test
    void largeNumbersAreNotPrintedAsFloats() {
        List<String> args = collectorArgs(Chart.manifests(set("datapath.yaml")));
        assertTrue(args.contains("--ring-size=67108864"), args.toString());
        assertTrue(args.contains("--buffer-capacity=262143"), args.toString());
    }

    @Test
    void theDefaultsObserveOverMutualTlsAndLeaveTheProgramsDefaultsAlone() {
        Manifests m = Chart.manifests(DEFAULTS);
        assertEquals(List.of("--mode=observe", "--listen=0.0.0.0:4244", "--cluster-source=api",
                "--tls-server-cert-file=/etc/flows/tls/tls.crt", "--tls-server-key-file=/etc/flows/tls/tls.key",
                "--tls-client-ca-files=/etc/flows/tls/ca.crt", "--metrics-listen=0.0.0.0:9966"),
                collectorArgs(m), "the cluster state from the API server");
        assertEquals(List.of("--peer-service=flows-collector.kube-system.svc.cluster.local:4244",
                "--tls-client-cert-file=/etc/flows/tls/client/tls.crt", "--tls-client-key-file=/etc/flows/tls/client/tls.key",
                "--tls-hubble-server-ca-files=/etc/flows/tls/client/ca.crt",
                "--tls-relay-server-cert-file=/etc/flows/tls/server/tls.crt", "--tls-relay-server-key-file=/etc/flows/tls/server/tls.key",
                "--tls-relay-client-ca-files=/etc/flows/tls/server/ca.crt", "--metrics-listen=0.0.0.0:9965"), relayArgs(m),
                "clients of the relay must present a certificate by default");
    }

    /** tls.enabled=false: what the chart passed before it had certificates, and nothing of TLS in the objects. */
    @Test
    void plaintextIsTheProgramsPlaintextFlagsAndNoCertificates() {
        Manifests m = Chart.manifests(set("plaintext.yaml"));
        assertEquals(List.of("--mode=observe", "--listen=0.0.0.0:4244", "--cluster-source=api", "--disable-server-tls",
                "--metrics-listen=0.0.0.0:9966"), collectorArgs(m));
        assertEquals(List.of("--collectors-dns=flows-collector.kube-system.svc.cluster.local:4244",
                "--disable-server-tls", "--disable-client-tls", "--metrics-listen=0.0.0.0:9965"), relayArgs(m));
        assertEquals(List.of(), m.all(Secret.class));
        assertEquals(List.of(), m.certificates());
        m.podSpecs().forEach(pod -> assertTrue(pod.getVolumes().stream().noneMatch(v -> v.getSecret() != null), pod.getVolumes().toString()));
    }

    @Test
    void relayClientsWithoutCertificatesWhenAsked() {
        List<String> args = relayArgs(Manifests.parse(Chart.render(DEFAULTS, Map.of("tls.relay.requireClientCert", "false"))));
        assertTrue(args.contains("--tls-relay-server-cert-file=/etc/flows/tls/server/tls.crt"), args.toString());
        assertTrue(args.stream().noneMatch(a -> a.startsWith("--tls-relay-client-ca-files")), args.toString());
    }

    @Test
    void theClusterSourceTakesOnlyItsOwnSettings() {
        List<String> files = collectorArgs(Chart.manifests(set("datapath.yaml")));
        assertTrue(files.contains("--cluster-source=files") && files.contains("--cluster-state=/etc/flows/cluster-state"), files.toString());
        List<String> api = collectorArgs(Manifests.parse(Chart.render(DEFAULTS, Map.of("collector.clusterSyncTimeout", "5m"))));
        assertTrue(api.contains("--cluster-sync-timeout=5m"), api.toString());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Chart.render(DEFAULTS, Map.of("collector.clusterStateConfigMap", "cluster-state")));
        assertTrue(e.getMessage().contains("collector.clusterStateConfigMap is read only with collector.clusterSource=files, not api"),
                e.getMessage());
    }

    @Test
    void aZeroSamplingRatioIsPassedNotDropped() {
        Manifests m = Manifests.parse(Chart.render(DEFAULTS, Map.of("otlp.endpoint", "http://otel:4317", "otlp.samplingRatio", "0")));
        assertTrue(relayArgs(m).contains("--otlp-sampling-ratio=0"), relayArgs(m).toString());
    }

    /** values.schema.json: a misspelt key or a value the program would refuse stops helm, naming the field. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "collector.mod      | datapath  | collector: Additional property mod is not allowed",
        "collector.mode     | obsrve    | collector.mode must be one of the following: \"observe\", \"datapath\"",
        "collector.clusterSource | apiserver | collector.clusterSource must be one of the following: \"api\", \"files\"",
        "kafka.format       | avro      | kafka.format must be one of the following",
        "otlp.endpoint      | otel:4317 | otlp.endpoint: Does not match pattern",
        "relay.extraArgs[0] | retry-max | relay.extraArgs.0: Does not match pattern",
        "tls.method         | vault     | tls.method must be one of the following: \"helm\", \"certmanager\"",
        "tls.enabled        | yes       | tls.enabled: Invalid type. Expected: boolean, given: string",
        "tls.validityDays   | 0         | tls.validityDays: Must be greater than or equal to 1",
        "tls.relay.requireClientCerts | true | tls.relay: Additional property requireClientCerts is not allowed"})
    void badValuesAreRefusedNamingTheField(String key, String value, String message) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Chart.render(DEFAULTS, Map.of(key, value)));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void certManagerWithoutAnIssuerIsRefusedNamingIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Chart.render(DEFAULTS, Map.of("tls.method", "certmanager")));
        assertTrue(e.getMessage().lines().findFirst().orElse("")
                .contains("tls.certManagerIssuerRef.name: required with tls.method=certmanager"), e.getMessage());
    }

    @Test
    void anUnquotedNumberAsKafkaPropertyIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Chart.render(set("exporters.yaml"),
                Map.of("kafka.properties.linger\\.ms", 5)));
        assertTrue(e.getMessage().contains("kafka.properties.linger.ms: quote the value"), e.getMessage());
    }
}
