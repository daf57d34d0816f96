package dev.flows.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class YamlClusterLoaderTest {
    private final List<String> notes = new ArrayList<>();
    private final YamlClusterLoader loader = new YamlClusterLoader(notes::add);

    private static Path fixture(String name) {
        try {
            return Path.of(YamlClusterLoaderTest.class.getResource("/cluster/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsTheDefaultLab() {
        ClusterState s = loader.load(fixture("valid.yaml"));

        assertEquals(List.of(new Node("node-a", "172.20.0.2", "10.244.1.0/24"), new Node("node-b", "172.20.0.3", "10.244.2.0/24")), s.nodes());
        assertEquals(new Namespace("shop", Map.of("kubernetes.io/metadata.name", "shop", "team", "shop")), s.namespaces().get(0));
        assertEquals(7, s.pods().size());
        Pod frontend = s.pods().get(0);
        assertEquals("shop/frontend-6b8f9c7d5-q2x7k", frontend.fullName());
        assertEquals("node-a", frontend.nodeName());
        assertEquals("10.244.1.10", frontend.podIP());
        assertEquals("frontend", frontend.labels().get("app"));
        assertEquals(List.of(new Pod.Workload("Deployment", "frontend")), frontend.workloads());
        assertTrue(frontend.annotations().get("flows.dev/call").startsWith("tcp://shop/cart-5d7c9b8f4-h4j2m:8080 every 200ms;"));
        Pod prometheus = s.pods().stream().filter(p -> p.name().equals("prometheus-0")).findFirst().orElseThrow();
        assertEquals(List.of(new Pod.Workload("StatefulSet", "prometheus")), prometheus.workloads());
        Pod toolbox = s.pods().stream().filter(p -> p.name().equals("toolbox")).findFirst().orElseThrow();
        assertEquals("default", toolbox.namespace());
        assertEquals(List.of(), toolbox.workloads());

        Service cart = s.services().get(0);
        assertEquals(new Service("shop", "cart", "ClusterIP", "10.96.10.20", Map.of("app", "cart"),
                List.of(new Service.Port("http", "TCP", 8080, "http", 0))), cart);
        Service dns = s.services().get(1);
        assertEquals(List.of(new Service.Port("dns", "UDP", 53, "5353", 0), new Service.Port("dns-tcp", "TCP", 53, "5353", 0)), dns.ports());
        assertEquals(List.of(), notes);
    }

    @Test
    void readsAFolderAndNotesWhatItSkips() {
        ClusterState s = loader.load(fixture("folder"));

        assertEquals(List.of(new Node("n1", "172.20.0.2", "")), s.nodes());
        assertEquals(List.of(new Pod("default", "web", Map.of(), Map.of(), "n1", "10.244.1.5", List.of())), s.pods());
        assertEquals(2, notes.size(), notes.toString());
        assertTrue(notes.get(0).contains("skipping Deployment web"), notes.get(0));
        assertTrue(notes.get(1).contains("skipping ConfigMap settings"), notes.get(1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        bad-yaml          | not valid YAML:
        missing-name      | Pod in document 1 has no name: metadata.name = (missing); expected a non-empty name
        bad-pod-ip        | Pod shop/web has an invalid IP: status.podIP = '10.244.1.300'; expected an IPv4 address such as 10.244.1.5
        bad-node-ip       | Node n1 has an invalid IP: status.addresses[InternalIP] = 'not-an-ip'; expected an IPv4 address
        node-without-ip   | Node n1 has no InternalIP: status.addresses = (missing); expected an entry {type: InternalIP, address: <IPv4>}
        bad-cidr          | Node n1 has an invalid CIDR: spec.podCIDR = '10.244.1.0/33'; expected an IPv4 prefix such as 10.244.1.0/24
        port-out-of-range | Service shop/cart has a port out of range: spec.ports[0].port = '70000'; expected a number 1-65535
        bad-target-port   | Service shop/cart has an invalid targetPort: spec.ports[0].targetPort = 'Not_A_Name'; expected a port number 1-65535 or a container port name
        bad-protocol      | Service shop/cart has an unknown protocol: spec.ports[0].protocol = 'ICMP'; expected TCP, UDP or SCTP
        bad-service-type  | Service shop/cart has an unknown type: spec.type = 'Magic'; expected one of ClusterIP, ExternalName, LoadBalancer, NodePort
        bad-cluster-ip    | Service shop/cart has an invalid IP: spec.clusterIP = '10.96.0'
        unknown-node      | Pod default/web is on an unknown node: spec.nodeName = 'n9'; expected one of n1
        duplicate-pod     | Pod default/web is defined twice
        duplicate-ip      | Pod default/b reuses an IP: status.podIP = '10.244.1.5'
        not-an-object     | document 1 is a ArrayList, expected a Kubernetes object
        malformed-field   | Pod shop/web has a malformed field: spec.containers[0].ports = '{containerPort=8080}'; expected what the Kubernetes Pod schema has there
        no-kind           | document 1 has no kind: kind = (missing); expected one of Node, Namespace, Pod, Service
        """)
    void rejectsMalformedInputWithOneLineNamingFileObjectAndValue(String fixture, String expected) {
        Path file = fixture("bad/" + fixture + ".yaml");
        YamlClusterLoader.InvalidClusterException e =
                assertThrows(YamlClusterLoader.InvalidClusterException.class, () -> loader.load(file));

        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void missingPathIsNamed() {
        var e = assertThrows(YamlClusterLoader.InvalidClusterException.class, () -> loader.load(Path.of("/nonexistent/lab.yaml")));
        assertEquals("/nonexistent/lab.yaml: no such file or folder", e.getMessage());
    }
}
