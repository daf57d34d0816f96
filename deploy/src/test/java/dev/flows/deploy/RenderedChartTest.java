package dev.flows.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What an operator checks in the objects the chart renders, for the defaults and every documented value set. */
class RenderedChartTest {
    private static final String COLLECTOR = "flows-collector";
    private static final String RELAY = "flows-relay";

    static List<Chart.ValueSet> valueSets() {
        return Chart.valueSets();
    }

    private static PodSpec collectorPod(Manifests m) {
        return m.get(DaemonSet.class, COLLECTOR).getSpec().getTemplate().getSpec();
    }

    /** The port the collectors serve their Observer API on, as their container declares it. */
    private static int collectorGrpcPort(Manifests m) {
        return collectorPod(m).getContainers().get(0).getPorts().stream().filter(p -> p.getName().equals("grpc"))
                .findFirst().orElseThrow(() -> new AssertionError("collector: no grpc port")).getContainerPort();
    }

    private static PodSpec relayPod(Manifests m) {
        return m.get(Deployment.class, RELAY).getSpec().getTemplate().getSpec();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void rendersOneOfEachComponentEachObjectInTheReleaseNamespace(Chart.ValueSet values) {
        Manifests m = Chart.manifests(values);
        assertEquals(1, m.all(DaemonSet.class).size(), "one collector DaemonSet");
        assertEquals(1, m.all(Deployment.class).size(), "one relay Deployment");
        for (HasMetadata o : m.all()) {
            if (!(o instanceof ClusterRole) && !(o instanceof ClusterRoleBinding)) {
                assertEquals(Chart.NAMESPACE, o.getMetadata().getNamespace(),
                        o.getKind() + " " + o.getMetadata().getName() + " must name its namespace (plain manifests)");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void everyContainerHasResourcesSecurityContextAndAPinnedImage(Chart.ValueSet values) {
        String tag = ":" + Chart.appVersion();
        Chart.manifests(values).podSpecs().forEach(pod -> {
            for (Container c : Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()).toList()) {
                ResourceRequirements r = c.getResources();
                assertNotNull(r, c.getName() + ": resources");
                for (String res : List.of("cpu", "memory")) {
                    Quantity request = r.getRequests().get(res);
                    Quantity limit = r.getLimits().get(res);
                    assertNotNull(request, c.getName() + ": " + res + " request");
                    assertNotNull(limit, c.getName() + ": " + res + " limit");
                    assertTrue(request.getNumericalAmount().compareTo(limit.getNumericalAmount()) <= 0,
                            c.getName() + ": " + res + " request above its limit");
                }
                assertNotNull(c.getSecurityContext(), c.getName() + ": securityContext");
                assertTrue(c.getImage().endsWith(tag), c.getName() + ": image " + c.getImage() + " not tagged " + tag);
            }
        });
    }

    /**
     * Init containers cannot have probes (the API refuses them); every long-running container must,
     * on grpc.health.v1 when its port is plaintext. The kubelet's gRPC probes speak plaintext only,
     * so over TLS the probe is that the gRPC port accepts connections.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void everyContainerIsProbedOnItsGrpcPort(Chart.ValueSet values) {
        Manifests m = Chart.manifests(values);
        m.podSpecs().forEach(pod -> {
            for (Container c : pod.getContainers()) {
                boolean tls = !ContainerArgs.of(m, c).contains("--disable-server-tls");
                int grpc = c.getPorts().stream().filter(p -> p.getName().equals("grpc")).findFirst()
                        .orElseThrow(() -> new AssertionError(c.getName() + ": no grpc port")).getContainerPort();
                for (Probe probe : new Probe[] {c.getLivenessProbe(), c.getReadinessProbe()}) {
                    assertNotNull(probe, c.getName() + ": liveness and readiness probes");
                    if (tls) {
                        assertNotNull(probe.getTcpSocket(), c.getName() + ": over TLS, probes connect to the gRPC port");
                        assertEquals(grpc, probe.getTcpSocket().getPort().getIntVal(), c.getName() + ": probe port");
                    } else {
                        assertNotNull(probe.getGrpc(), c.getName() + ": probes use grpc.health.v1");
                        assertEquals(grpc, probe.getGrpc().getPort(), c.getName() + ": probe port");
                    }
                }
            }
        });
    }

    /**
     * Kubernetes allows Bidirectional propagation only in privileged containers; the chart confines
     * both to the init container that mounts bpffs, and runs nothing else privileged.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void privilegeOnlyWhereBidirectionalPropagationNeedsIt(Chart.ValueSet values) {
        Chart.manifests(values).podSpecs().forEach(pod -> {
            for (Container c : pod.getInitContainers()) {
                boolean bidirectional = c.getVolumeMounts().stream().anyMatch(v -> "Bidirectional".equals(v.getMountPropagation()));
                assertEquals(bidirectional, Boolean.TRUE.equals(c.getSecurityContext().getPrivileged()),
                        c.getName() + ": privileged exactly when it needs Bidirectional propagation");
            }
            for (Container c : pod.getContainers()) {
                SecurityContext s = c.getSecurityContext();
                assertFalse(Boolean.TRUE.equals(s.getPrivileged()), c.getName() + " is privileged");
                assertEquals(Boolean.FALSE, s.getAllowPrivilegeEscalation(), c.getName() + ": allowPrivilegeEscalation");
                assertEquals(Boolean.TRUE, s.getReadOnlyRootFilesystem(), c.getName() + ": readOnlyRootFilesystem");
                assertEquals(List.of("ALL"), s.getCapabilities().getDrop(), c.getName() + ": drops every capability");
                assertTrue(c.getVolumeMounts().stream().noneMatch(v -> "Bidirectional".equals(v.getMountPropagation())),
                        c.getName() + ": Bidirectional propagation needs a privileged container");
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void theCollectorRunsOnEveryNodeWithOnlyTheDatapathsCapabilities(Chart.ValueSet values) {
        Manifests m = Chart.manifests(values);
        DaemonSet ds = m.get(DaemonSet.class, COLLECTOR);
        PodSpec pod = collectorPod(m);
        assertEquals(Boolean.TRUE, pod.getHostNetwork(), "hostNetwork");
        assertEquals("RollingUpdate", ds.getSpec().getUpdateStrategy().getType());
        assertTrue(pod.getTolerations().stream().anyMatch(t -> "Exists".equals(t.getOperator()) && t.getKey() == null && t.getEffect() == null),
                "a toleration of every taint");
        Container c = pod.getContainers().get(0);
        assertEquals(Set.of("BPF", "NET_ADMIN", "PERFMON", "SYS_RESOURCE"), Set.copyOf(c.getSecurityContext().getCapabilities().getAdd()));
        EnvVar nodeName = c.getEnv().stream().filter(e -> e.getName().equals("NODE_NAME")).findFirst()
                .orElseThrow(() -> new AssertionError("no NODE_NAME"));
        assertEquals("spec.nodeName", nodeName.getValueFrom().getFieldRef().getFieldPath());

        Map<String, Volume> volumes = new HashMap<>();
        pod.getVolumes().forEach(v -> volumes.put(v.getName(), v));
        VolumeMount bpf = mount(c, "/sys/fs/bpf");
        assertEquals("/sys/fs/bpf", volumes.get(bpf.getName()).getHostPath().getPath());
        assertEquals("HostToContainer", bpf.getMountPropagation());
        VolumeMount initBpf = mount(pod.getInitContainers().get(0), "/sys/fs/bpf");
        assertEquals(bpf.getName(), initBpf.getName(), "the init container mounts bpffs on the same host path");
        assertEquals("Bidirectional", initBpf.getMountPropagation());
        VolumeMount btf = mount(c, "/sys/kernel/btf");
        assertEquals("/sys/kernel/btf", volumes.get(btf.getName()).getHostPath().getPath());
        assertEquals(Boolean.TRUE, btf.getReadOnly(), "/sys/kernel/btf read-only");
    }

    private static VolumeMount mount(Container c, String path) {
        return c.getVolumeMounts().stream().filter(v -> v.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + ": nothing mounted at " + path));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void rbacIsReadOnlyOnExactlyTheClusterStateKinds(Chart.ValueSet values) {
        Manifests m = Chart.manifests(values);
        List<ClusterRole> roles = m.all(ClusterRole.class);
        if (roles.isEmpty()) {
            assertTrue(m.all(ClusterRoleBinding.class).isEmpty(), "a binding without its role");
            return;
        }
        assertEquals(1, roles.size());
        Set<String> granted = new HashSet<>();
        for (PolicyRule rule : roles.get(0).getRules()) {
            assertEquals(Set.of("get", "list", "watch"), Set.copyOf(rule.getVerbs()), "verbs of " + rule.getResources());
            assertEquals(List.of(), rule.getResourceNames(), "no resourceNames");
            assertEquals(List.of(), rule.getNonResourceURLs(), "no non-resource URLs");
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    assertTrue(granted.add(group + "/" + resource), "granted twice: " + group + "/" + resource);
                }
            }
        }
        assertEquals(Set.of("/nodes", "/namespaces", "/pods", "/services",
                "discovery.k8s.io/endpointslices", "networking.k8s.io/networkpolicies"), granted);
        ClusterRoleBinding binding = m.get(ClusterRoleBinding.class, COLLECTOR);
        assertEquals(roles.get(0).getMetadata().getName(), binding.getRoleRef().getName());
        assertEquals(1, binding.getSubjects().size());
        assertEquals("ServiceAccount", binding.getSubjects().get(0).getKind());
        assertEquals(collectorPod(m).getServiceAccountName(), binding.getSubjects().get(0).getName());
        assertEquals(Chart.NAMESPACE, binding.getSubjects().get(0).getNamespace());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void servicesSelectTheirPodsAndNamedPorts(Chart.ValueSet values) {
        Manifests m = Chart.manifests(values);
        Service headless = m.get(Service.class, COLLECTOR);
        assertEquals("None", headless.getSpec().getClusterIP(), "the collectors' Service is headless");
        assertSelects(headless, m.get(DaemonSet.class, COLLECTOR).getSpec().getTemplate().getMetadata().getLabels(), collectorPod(m));
        assertEquals(collectorGrpcPort(m), port(headless, "grpc").getPort());

        Service relay = m.get(Service.class, RELAY);
        assertSelects(relay, m.get(Deployment.class, RELAY).getSpec().getTemplate().getMetadata().getLabels(), relayPod(m));
        assertEquals(4245, port(relay, "grpc").getPort());
        boolean metrics = relayPod(m).getContainers().get(0).getPorts().stream().anyMatch(p -> p.getName().equals("metrics"));
        if (metrics) {
            assertEquals(9965, port(relay, "metrics").getPort());
        }
    }

    private static ServicePort port(Service s, String name) {
        return s.getSpec().getPorts().stream().filter(p -> p.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(s.getMetadata().getName() + ": no port " + name));
    }

    private static void assertSelects(Service s, Map<String, String> podLabels, PodSpec pod) {
        String name = s.getMetadata().getName();
        assertFalse(s.getSpec().getSelector().isEmpty(), name + ": empty selector");
        s.getSpec().getSelector().forEach((k, v) -> assertEquals(v, podLabels.get(k), name + " selects " + k + "=" + v));
        Set<String> containerPorts = new HashSet<>();
        pod.getContainers().forEach(c -> c.getPorts().forEach(p -> containerPorts.add(p.getName())));
        for (ServicePort p : s.getSpec().getPorts()) {
            assertTrue(containerPorts.contains(p.getTargetPort().getStrVal()),
                    name + ": targetPort " + p.getTargetPort() + " is no container port");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void onlyTheRelayMayReachTheCollectorsObserverApi(Chart.ValueSet values) {
        Manifests m = Chart.manifests(values);
        if (m.find(NetworkPolicy.class, COLLECTOR).isEmpty()) {
            return;
        }
        NetworkPolicy np = m.get(NetworkPolicy.class, COLLECTOR);
        Map<String, String> collectorLabels = m.get(DaemonSet.class, COLLECTOR).getSpec().getTemplate().getMetadata().getLabels();
        Map<String, String> relayLabels = m.get(Deployment.class, RELAY).getSpec().getTemplate().getMetadata().getLabels();
        np.getSpec().getPodSelector().getMatchLabels().forEach((k, v) -> assertEquals(v, collectorLabels.get(k)));
        assertEquals(List.of("Ingress"), np.getSpec().getPolicyTypes());
        int grpc = collectorGrpcPort(m);
        boolean grpcRule = false;
        for (NetworkPolicyIngressRule rule : np.getSpec().getIngress()) {
            boolean coversGrpc = rule.getPorts().isEmpty() || rule.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == grpc);
            if (!coversGrpc) {
                continue;
            }
            grpcRule = true;
            assertEquals(1, rule.getFrom().size(), grpc + " open to one peer, the relay");
            var peer = rule.getFrom().get(0);
            assertEquals(null, peer.getIpBlock());
            assertEquals(null, peer.getNamespaceSelector(), "the relay's namespace only");
            peer.getPodSelector().getMatchLabels().forEach((k, v) -> assertEquals(v, relayLabels.get(k), "selects the relay pods"));
            assertTrue(peer.getPodSelector().getMatchLabels().containsKey("app.kubernetes.io/component"));
        }
        assertTrue(grpcRule, "no rule admits the relay to " + grpc);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void theRelayFindsTheCollectorsThroughTheHeadlessService(Chart.ValueSet values) {
        Manifests m = Chart.manifests(values);
        List<String> args = ContainerArgs.of(m, relayPod(m).getContainers().get(0));
        String headless = COLLECTOR + "." + Chart.NAMESPACE + ".svc.cluster.local:" + collectorGrpcPort(m);
        // over TLS through the collectors' Peer service, which names each collector's node (TlsTest)
        assertTrue(args.contains("--collectors-dns=" + headless) || args.contains("--peer-service=" + headless), args.toString());
        assertTrue(ContainerArgs.of(m, collectorPod(m).getContainers().get(0)).contains("--listen=0.0.0.0:" + collectorGrpcPort(m)),
                "the collector listens on its container port");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void serviceMonitorsScrapeAServicesMetricsPort(Chart.ValueSet values) {
        Manifests m = Chart.manifests(values);
        for (GenericKubernetesResource sm : m.serviceMonitors()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> spec = (Map<String, Object>) sm.getAdditionalProperties().get("spec");
            @SuppressWarnings("unchecked")
            Map<String, String> match = (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
            List<Service> selected = m.all(Service.class).stream()
                    .filter(s -> match.entrySet().stream().allMatch(e -> e.getValue().equals(s.getMetadata().getLabels().get(e.getKey()))))
                    .toList();
            assertEquals(1, selected.size(), sm.getMetadata().getName() + " selects one Service");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> endpoints = (List<Map<String, Object>>) spec.get("endpoints");
            for (Map<String, Object> e : endpoints) {
                port(selected.get(0), (String) e.get("port"));
            }
        }
    }
}
