package dev.flows.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Node;
import dev.flows.cluster.Pod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The workload annotations: what a valid one runs, and the one-line error of a bad one. */
class WorkloadSpecTest {
    private static final Node NODE = new Node("node-a", "172.20.0.2", "10.244.1.0/24");
    private static final Pod SERVER = pod("cart", "10.244.1.11", Map.of(WorkloadSpec.SERVE, "tcp:8080, udp:5353"));

    private static Pod pod(String name, String ip, Map<String, String> annotations) {
        return new Pod("shop", name, Map.of("app", name), annotations, "node-a", ip, List.of());
    }

    private static List<WorkloadSpec.PodWorkload> of(Pod... pods) {
        return WorkloadSpec.of(new ClusterState(List.of(NODE), List.of(), List.of(pods), List.of()));
    }

    @Test
    void readsServersAndCalls() {
        Pod client = pod("frontend", "10.244.1.10", Map.of(WorkloadSpec.CALL,
                "tcp://shop/cart:8080 every 200ms; udp://shop/cart:5353 every 1s"));
        List<WorkloadSpec.PodWorkload> w = of(SERVER, client);
        assertEquals(List.of(new WorkloadSpec.Serve("tcp", 8080), new WorkloadSpec.Serve("udp", 5353)), w.get(0).serves());
        assertEquals(List.of(new WorkloadSpec.Call("tcp", "shop/cart", "10.244.1.11", 8080, 200),
                new WorkloadSpec.Call("udp", "shop/cart", "10.244.1.11", 5353, 1000)), w.get(1).calls());
    }

    @Test
    void serviceTargetsGoToTheClusterIpAndStayInTheServiceRange() {
        Pod client = pod("frontend", "10.244.1.10", Map.of(WorkloadSpec.CALL, "tcp://svc/shop/cart:8080 every 300ms"));
        List<dev.flows.cluster.Service> services = List.of(
                new dev.flows.cluster.Service("shop", "cart", "ClusterIP", "10.96.10.20", Map.of(), List.of()),
                new dev.flows.cluster.Service("shop", "far", "ClusterIP", "192.0.2.9", Map.of(), List.of()));
        List<WorkloadSpec.PodWorkload> w = WorkloadSpec.of(new ClusterState(List.of(NODE), List.of(), List.of(client), services));
        assertEquals(List.of(new WorkloadSpec.Call("tcp", "svc/shop/cart", "10.96.10.20", 8080, 300)), w.get(0).calls());

        for (String target : List.of("svc/shop/far", "svc/shop/none")) {
            Pod bad = pod("bad", "10.244.1.20", Map.of(WorkloadSpec.CALL, "tcp://" + target + ":80 every 1s"));
            LabException e = assertThrows(LabException.class,
                    () -> WorkloadSpec.of(new ClusterState(List.of(NODE), List.of(), List.of(bad), services)));
            assertTrue(e.getMessage().contains("a service of this cluster with a ClusterIP in 10.96.0.0/16"), e.getMessage());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "flows.dev/serve | sctp:80                          | tcp:PORT or udp:PORT",
        "flows.dev/serve | tcp:70000                        | a port 1-65535",
        "flows.dev/call  | tcp://shop/cart every 1s         | PROTO://NAMESPACE/POD:PORT",
        "flows.dev/call  | tcp://shop/nobody:80 every 1s    | shop/nobody is not",
        "flows.dev/call  | tcp://shop/outside:80 every 1s   | inside a node's podCIDR",
        "flows.dev/call  | tcp://shop/cart:8080 every 1ms   | at least 10ms",
    })
    void badAnnotationsNameThePodTheValueAndWhatIsValid(String annotation, String value, String valid) {
        Pod outside = pod("outside", "192.0.2.7", Map.of());
        Pod bad = pod("bad", "10.244.1.20", Map.of(annotation, value));
        LabException e = assertThrows(LabException.class, () -> of(SERVER, outside, bad));
        assertTrue(e.getMessage().startsWith("Pod shop/bad: annotation " + annotation + ": '" + value + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(valid), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), "one line");
    }
}
