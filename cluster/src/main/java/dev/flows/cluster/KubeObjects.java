package dev.flows.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * fabric8's Kubernetes objects, as the API server sends them, onto the cluster model: each one
 * goes through the reader the YAML source uses ({@link YamlObjectReader}), so both sources accept
 * and refuse the same things, with the same one-line reasons.
 *
 * <p>Pods are the bulk of a cluster, so they are cut to what flows reads before anything else
 * (name, namespace, labels, owners, nodeName, IPv4 address, readiness, container ports), and the
 * informer's own cache holds that cut ({@link #slim}), not the whole object.
 */
final class KubeObjects {
    private final KubernetesSerialization serialization;
    private final Consumer<String> notes;

    KubeObjects(KubernetesSerialization serialization, Consumer<String> notes) {
        this.serialization = serialization;
        this.notes = notes;
    }

    /**
     * The model object ({@link Node}, {@link Pod}, ...) for {@code o}.
     *
     * @throws YamlClusterLoader.InvalidClusterException naming the object, the field and what is valid
     */
    Object toModel(HasMetadata o) {
        Map<String, Object> doc;
        if (o instanceof io.fabric8.kubernetes.api.model.Pod p) {
            doc = podDocument(p);
        } else {
            doc = document(o);
        }
        return new YamlObjectReader("API server", 0, doc, notes).read();
    }

    /**
     * Adds {@code o}, read from document {@code index} of {@code file}, to {@code b}. Unlike the API
     * server's pods, a file's keep their annotations (the lab's workload definitions) and are ready
     * unless they say otherwise (lab pods carry no status conditions).
     */
    void fromFile(HasMetadata o, String file, int index, ClusterBuilder b) {
        new YamlObjectReader(file, index, document(o), notes).readInto(b);
    }

    private Map<String, Object> document(HasMetadata o) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = serialization.convertValue(o, Map.class);
        m.putIfAbsent("kind", o.getKind());
        return m;
    }

    /** The pod as flows keeps it: what {@link #podDocument} reads and what the informer needs to follow it. */
    static io.fabric8.kubernetes.api.model.Pod slim(io.fabric8.kubernetes.api.model.Pod p) {
        ObjectMeta m = p.getMetadata();
        List<Container> containers = new ArrayList<>();
        if (p.getSpec() != null) {
            for (Container c : p.getSpec().getContainers()) {
                containers.add(new ContainerBuilder().withName(c.getName()).withPorts(c.getPorts()).build());
            }
        }
        PodBuilder b = new PodBuilder().withNewMetadata().withName(m.getName()).withNamespace(m.getNamespace())
                .withUid(m.getUid()).withResourceVersion(m.getResourceVersion()).withLabels(m.getLabels())
                .withOwnerReferences(m.getOwnerReferences()).endMetadata();
        if (p.getSpec() != null) {
            b.withNewSpec().withNodeName(p.getSpec().getNodeName()).withHostNetwork(p.getSpec().getHostNetwork())
                    .withContainers(containers).endSpec();
        }
        if (p.getStatus() != null) {
            List<PodCondition> ready = p.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).toList();
            b.withNewStatus().withPhase(p.getStatus().getPhase()).withPodIP(p.getStatus().getPodIP())
                    .withPodIPs(p.getStatus().getPodIPs()).withConditions(ready).endStatus();
        }
        return b.build();
    }

    /**
     * The pod as a document for the reader. Its address is its first IPv4 one (dual-stack pods list
     * both families); a host-network pod's address is its node's and a finished pod's is free for
     * another, so neither gets one. A pod without a Ready condition yet is not ready.
     */
    private static Map<String, Object> podDocument(io.fabric8.kubernetes.api.model.Pod p) {
        ObjectMeta m = p.getMetadata();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", m.getName());
        meta.put("namespace", m.getNamespace());
        meta.put("labels", m.getLabels());
        List<Map<String, Object>> owners = new ArrayList<>();
        for (OwnerReference r : m.getOwnerReferences()) {
            owners.add(Map.of("kind", String.valueOf(r.getKind()), "name", String.valueOf(r.getName())));
        }
        meta.put("ownerReferences", owners);
        Map<String, Object> spec = new LinkedHashMap<>();
        boolean hostNetwork = false;
        if (p.getSpec() != null) {
            hostNetwork = Boolean.TRUE.equals(p.getSpec().getHostNetwork());
            spec.put("nodeName", p.getSpec().getNodeName());
            List<Map<String, Object>> containers = new ArrayList<>();
            for (Container c : p.getSpec().getContainers()) {
                List<Map<String, Object>> ports = new ArrayList<>();
                for (ContainerPort cp : c.getPorts()) {
                    Map<String, Object> port = new LinkedHashMap<>();
                    port.put("name", cp.getName());
                    port.put("containerPort", cp.getContainerPort());
                    port.put("protocol", cp.getProtocol());
                    ports.add(port);
                }
                containers.add(Map.of("ports", ports));
            }
            spec.put("containers", containers);
        }
        Map<String, Object> status = new LinkedHashMap<>();
        String ready = "False";
        if (p.getStatus() != null) {
            String phase = p.getStatus().getPhase();
            boolean finished = "Succeeded".equals(phase) || "Failed".equals(phase);
            if (!hostNetwork && !finished) {
                String ip = firstIpv4(p.getStatus().getPodIP(), p.getStatus().getPodIPs());
                if (ip != null) {
                    status.put("podIP", ip);
                }
            }
            for (PodCondition c : p.getStatus().getConditions()) {
                if ("Ready".equals(c.getType())) {
                    ready = c.getStatus();
                }
            }
        }
        status.put("conditions", List.of(Map.of("type", "Ready", "status", String.valueOf(ready))));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("kind", "Pod");
        doc.put("metadata", meta);
        doc.put("spec", spec);
        doc.put("status", status);
        return doc;
    }

    /** The first IPv4 address of a pod (podIP, then podIPs); the pod's only address when none is IPv4, for the reader to refuse. */
    private static String firstIpv4(String podIP, List<PodIP> podIPs) {
        if (podIP != null && YamlObjectReader.isIpv4(podIP)) {
            return podIP;
        }
        for (PodIP ip : podIPs) {
            if (ip.getIp() != null && YamlObjectReader.isIpv4(ip.getIp())) {
                return ip.getIp();
            }
        }
        return podIP == null || podIP.isEmpty() ? null : podIP;
    }
}
