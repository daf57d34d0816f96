package dev.flows.collector.datapath;

import static org.junit.jupiter.api.Assertions.*;

import dev.flows.observer.net.Ipv4Prefix;
import dev.flows.cluster.ClusterState;
import dev.flows.cluster.YamlClusterLoader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** From Kubernetes YAML to frontends and backends. */
class DesiredServicesTest {
    static final int NODE = Ipv4Prefix.address("172.20.0.2");

    static ClusterState load(String yaml) {
        return new YamlClusterLoader(n -> {}).load("test.yaml", new StringReader(yaml));
    }

    static String pod(String name, String ip, String app, String ports, String ready) {
        return "---\nkind: Pod\nmetadata: {namespace: shop, name: " + name + ", labels: {app: " + app + "}}\n"
                + "spec: {nodeName: n1, containers: [{name: c, ports: " + ports + "}]}\n"
                + "status: {podIP: " + ip + (ready == null ? "" : ", conditions: [{type: Ready, status: \"" + ready + "\"}]") + "}\n";
    }

    static final String NODES = "kind: Node\nmetadata: {name: n1}\nstatus: {addresses: [{type: InternalIP, address: 172.20.0.2}]}\n";

    /** frontend -> backends as text, sorted. */
    static Map<String, String> table(ClusterState s, List<String> notes) {
        Map<String, String> out = new TreeMap<>();
        DesiredServices.of(s, NODE, notes::add).forEach((key, spec) ->
                spec.frontends().forEach((f, b) -> out.put(key + " " + f, b.toString())));
        return out;
    }

    @Test
    void targetPortsByNameAndNumberSeveralPortsAndNodePort() {
        String yaml = NODES
                + pod("cart-1", "10.244.1.11", "cart", "[{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]", null)
                + pod("cart-2", "10.244.2.11", "cart", "[{name: http, containerPort: 8081}]", null)
                + pod("cart-3", "10.244.2.12", "cart", "[{name: http, containerPort: 8080}]", "False")
                + pod("dns-1", "10.244.2.20", "dns", "[{name: dns, containerPort: 5353, protocol: UDP}]", null)
                + "---\nkind: Service\nmetadata: {namespace: shop, name: cart}\nspec: {type: NodePort, clusterIP: 10.96.10.20, selector: {app: cart},"
                + " ports: [{name: http, port: 80, targetPort: http, nodePort: 30080}, {name: metrics, port: 9090, targetPort: metrics},"
                + " {name: raw, port: 81, targetPort: 7000}, {name: s, port: 82, protocol: SCTP}]}\n"
                + "---\nkind: Service\nmetadata: {namespace: shop, name: dns}\nspec: {clusterIP: 10.96.0.10, selector: {app: dns},"
                + " ports: [{name: dns, port: 53, protocol: UDP, targetPort: dns}, {name: dns-tcp, port: 53, protocol: TCP, targetPort: dns}]}\n"
                + "---\nkind: Service\nmetadata: {namespace: shop, name: headless}\nspec: {clusterIP: None, selector: {app: cart}, ports: [{port: 80}]}\n";
        List<String> notes = new ArrayList<>();
        assertEquals(Map.of(
                "shop/cart 10.96.10.20:80/TCP", "[10.244.1.11:8080, 10.244.2.11:8081]",
                "shop/cart 172.20.0.2:30080/TCP (NodePort)", "[10.244.1.11:8080, 10.244.2.11:8081]",
                "shop/cart 10.96.10.20:9090/TCP", "[10.244.1.11:9090]",
                "shop/cart 10.96.10.20:81/TCP", "[10.244.1.11:7000, 10.244.2.11:7000]",
                "shop/dns 10.96.0.10:53/UDP", "[10.244.2.20:5353]",
                "shop/dns 10.96.0.10:53/TCP", "[]"), table(load(yaml), notes),
                "named ports per pod, not-ready pods out, a name with the other protocol is no match");
        assertEquals(1, notes.size());
        assertTrue(notes.get(0).contains("82/SCTP"), notes.get(0));
    }

    @Test
    void endpointSlicesWinOverTheSelector() {
        String yaml = NODES
                + pod("cart-1", "10.244.1.11", "cart", "[{name: http, containerPort: 8080}]", null)
                + "---\nkind: Service\nmetadata: {namespace: shop, name: cart}\nspec: {clusterIP: 10.96.10.20, selector: {app: cart},"
                + " ports: [{name: http, port: 80, targetPort: http}]}\n"
                + "---\nkind: EndpointSlice\nmetadata: {namespace: shop, name: cart-x1, labels: {kubernetes.io/service-name: cart}}\n"
                + "addressType: IPv4\nports: [{name: http, port: 9000, protocol: TCP}]\n"
                + "endpoints: [{addresses: [10.244.3.1]}, {addresses: [10.244.3.2], conditions: {ready: false}}]\n"
                + "---\nkind: EndpointSlice\nmetadata: {namespace: shop, name: cart-x2, labels: {kubernetes.io/service-name: cart}}\n"
                + "addressType: IPv4\nports: [{name: http, port: 9000, protocol: TCP}]\nendpoints: [{addresses: [10.244.3.3], conditions: {ready: true}}]\n"
                + "---\nkind: Service\nmetadata: {namespace: shop, name: manual}\nspec: {clusterIP: 10.96.10.21, ports: [{port: 80}]}\n";
        assertEquals(Map.of(
                "shop/cart 10.96.10.20:80/TCP", "[10.244.3.1:9000, 10.244.3.3:9000]",
                "shop/manual 10.96.10.21:80/TCP", "[]"), table(load(yaml), new ArrayList<>()),
                "a selector-less service without slices has no backends: its traffic is dropped, as documented");
    }

    @Test
    void withoutThisNodesAddressThereIsNoNodePort() {
        String yaml = "kind: Service\nmetadata: {namespace: shop, name: cart}\nspec: {type: NodePort, clusterIP: 10.96.10.20,"
                + " selector: {app: cart}, ports: [{port: 80, nodePort: 30080}]}\n";
        assertEquals(List.of("10.96.10.20:80/TCP"), DesiredServices.of(load(yaml), 0, n -> {}).get("shop/cart")
                .frontends().keySet().stream().map(Frontend::toString).toList());
    }
}
