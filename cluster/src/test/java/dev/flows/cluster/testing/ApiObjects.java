package dev.flows.cluster.testing;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;

/**
 * Kubernetes objects as an API server holds them, for tests of the API source, and a small
 * cluster made of them: nodes node-a and node-b; namespaces shop (team=shop) and default; pods shop/cart-1
 * (node-a, 10.244.1.11, a Deployment's), shop/frontend-1 (node-a, 10.244.1.10) and shop/toolbox-1
 * (node-b, 10.244.2.10); Service shop/cart (10.96.10.20:80 to the port named http) with one
 * EndpointSlice; NetworkPolicy shop/cart-from-frontend (cart admits frontend on 8080).
 */
public final class ApiObjects {
    private ApiObjects() {}

    /** Creates the small cluster through {@code k}. */
    public static void shop(KubernetesClient k) {
        k.nodes().resource(node("node-a", "172.20.0.2", "10.244.1.0/24")).create();
        k.nodes().resource(node("node-b", "172.20.0.3", "10.244.2.0/24")).create();
        k.namespaces().resource(namespace("shop", Map.of("team", "shop"))).create();
        k.namespaces().resource(namespace("default", Map.of())).create();
        k.pods().inNamespace("shop").resource(pod("shop", "cart-1", "node-a", "10.244.1.11", "cart")).create();
        k.pods().inNamespace("shop").resource(pod("shop", "frontend-1", "node-a", "10.244.1.10", "frontend")).create();
        k.pods().inNamespace("shop").resource(pod("shop", "toolbox-1", "node-b", "10.244.2.10", "toolbox")).create();
        k.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withNamespace("shop").withName("cart").endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP("10.96.10.20").withSelector(Map.of("app", "cart"))
                .addNewPort().withName("http").withProtocol("TCP").withPort(80).withTargetPort(new IntOrString("http")).endPort()
                .endSpec().build()).create();
        k.discovery().v1().endpointSlices().inNamespace("shop").resource(slice("shop", "cart-abcde", "cart", "10.244.1.11", 8080)).create();
        k.network().v1().networkPolicies().inNamespace("shop").resource(new NetworkPolicyBuilder()
                .withNewMetadata().withNamespace("shop").withName("cart-from-frontend").endMetadata()
                .withNewSpec().withNewPodSelector().withMatchLabels(new HashMap<>(Map.of("app", "cart"))).endPodSelector()
                .withPolicyTypes("Ingress")
                .addNewIngress().addNewFrom().withNewPodSelector().withMatchLabels(new HashMap<>(Map.of("app", "frontend"))).endPodSelector().endFrom()
                .addNewPort().withProtocol("TCP").withPort(new IntOrString(8080)).endPort().endIngress()
                .endSpec().build()).create();
    }

    public static Node node(String name, String ip, String podCidr) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withPodCIDR(podCidr).endSpec()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress(ip).endAddress().endStatus().build();
    }

    public static Namespace namespace(String name, Map<String, String> labels) {
        Map<String, String> l = new HashMap<>(labels);
        l.put("kubernetes.io/metadata.name", name);
        return new NamespaceBuilder().withNewMetadata().withName(name).withLabels(l).endMetadata().build();
    }

    /** A ready pod of a Deployment named {@code app} (owner: its ReplicaSet), with container port "http" 8080 (dns: 53/UDP). */
    public static Pod pod(String ns, String name, String node, String ip, String app) {
        boolean dns = app.equals("dns");
        return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(new HashMap<>(Map.of("app", app)))
                .withAnnotations(Map.of("kubectl.kubernetes.io/last-applied-configuration", "{}"))
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName(app + "-7d9f8b6c5d")
                .withUid("u-" + name).withController(true).endOwnerReference().endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("main").withImage("example/" + app)
                .addNewPort().withName(dns ? "dns" : "http").withContainerPort(dns ? 53 : 8080).withProtocol(dns ? "UDP" : "TCP").endPort()
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip).addNewPodIP().withIp(ip).endPodIP()
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
    }

    /** A pod on the host's network: its address is its node's. */
    public static Pod hostNetworkPod(String ns, String name, String node, String nodeIp) {
        return new PodBuilder(pod(ns, name, node, nodeIp, "agent")).editSpec().withHostNetwork(true).endSpec().build();
    }

    public static Service service(String ns, String name, String ip, String portName, int port, String protocol) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(ip).withSelector(Map.of("app", portName))
                .addNewPort().withName(portName).withProtocol(protocol).withPort(port).withTargetPort(new IntOrString(port)).endPort()
                .endSpec().build();
    }

    public static EndpointSlice slice(String ns, String name, String service, String ip, int port) {
        boolean dns = port == 53;
        return new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .withLabels(Map.of("kubernetes.io/service-name", service)).endMetadata().withAddressType("IPv4")
                .addNewEndpoint().withAddresses(ip).withNewConditions().withReady(true).endConditions().endEndpoint()
                .addNewPort().withName(dns ? "dns" : "http").withPort(port).withProtocol(dns ? "UDP" : "TCP").endPort().build();
    }

    /** Pods labelled app={@code app} of {@code ns} admit every pod of the namespaces labelled team={@code team}, on UDP 5353. */
    public static NetworkPolicy policyFrom(String ns, String name, String app, String team) {
        return new NetworkPolicyBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withNewPodSelector().withMatchLabels(Map.of("app", app)).endPodSelector().withPolicyTypes("Ingress")
                .addNewIngress().addNewFrom().withNewNamespaceSelector().withMatchLabels(Map.of("team", team))
                .endNamespaceSelector().endFrom().addNewPort().withProtocol("UDP").withPort(new IntOrString(5353)).endPort().endIngress()
                .endSpec().build();
    }
}
