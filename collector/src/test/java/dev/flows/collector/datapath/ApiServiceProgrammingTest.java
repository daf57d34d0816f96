package dev.flows.collector.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.cluster.KubernetesClusterSource;
import dev.flows.cluster.testing.ApiObjects;
import dev.flows.cluster.testing.MockApiServer;
import dev.flows.observer.net.Ipv4Prefix;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Services and EndpointSlices changed through the API server (fabric8's mock, CRUD mode), read
 * by the API source and programmed as the collector programs them (ServiceProgrammer, here on
 * in-memory maps): the frontends and backends follow, and an outage leaves them as they were.
 */
class ApiServiceProgrammingTest {
    private static final int NODE = Ipv4Prefix.address("172.20.0.2");

    private MockApiServer api;
    private KubernetesClient k;
    private KubernetesClusterSource source;
    private final FakeServiceMaps maps = new FakeServiceMaps();
    private final ServiceProgrammer programmer = ServiceProgrammer.adopt(maps, false);

    @BeforeEach
    void start() throws Exception {
        api = new MockApiServer();
        k = api.admin();
        ApiObjects.shop(k);
        source = KubernetesClusterSource.connect(api.config(), n -> {}, w -> {});
        assertTrue(source.awaitSynced(Duration.ofSeconds(10)));
        // what Collector.updateCluster does with each state, in datapath mode
        source.listen(s -> programmer.apply(DesiredServices.of(s, NODE, n -> {})));
    }

    @AfterEach
    void stop() {
        source.close();
        api.close();
    }

    /** frontend -> backends, as programmed. */
    private Map<String, String> programmed() {
        synchronized (programmer) {
            Map<String, String> out = new TreeMap<>();
            maps.frontends.forEach((f, p) -> out.put(f.toString(), maps.backends.get(p.id()).toString()));
            return out;
        }
    }

    @Test
    void servicesScaledChangedAddedAndDeletedThroughTheApiAreProgrammed() throws Exception {
        await("listed", Map.of("10.96.10.20:80/TCP", "[10.244.1.11:8080]"));

        // scaled: a second ready endpoint in the slice
        k.discovery().v1().endpointSlices().inNamespace("shop").withName("cart-abcde").edit(e -> {
            e.getEndpoints().add(new EndpointBuilder().withAddresses("10.244.2.12").withNewConditions().withReady(true).endConditions().build());
            return e;
        });
        await("scaled", Map.of("10.96.10.20:80/TCP", "[10.244.1.11:8080, 10.244.2.12:8080]"));

        // the service's port changed
        k.services().inNamespace("shop").withName("cart").edit(v -> { v.getSpec().getPorts().get(0).setPort(8000); return v; });
        await("port changed", Map.of("10.96.10.20:8000/TCP", "[10.244.1.11:8080, 10.244.2.12:8080]"));

        // a new service and its slice
        k.services().inNamespace("shop").resource(ApiObjects.service("shop", "dns", "10.96.0.10", "dns", 53, "UDP")).create();
        k.discovery().v1().endpointSlices().inNamespace("shop").resource(ApiObjects.slice("shop", "dns-1", "dns", "10.244.2.53", 53)).create();
        await("added", Map.of("10.96.10.20:8000/TCP", "[10.244.1.11:8080, 10.244.2.12:8080]", "10.96.0.10:53/UDP", "[10.244.2.53:53]"));

        // an outage changes nothing
        api.stop();
        Thread.sleep(3000);
        assertEquals(Map.of("10.96.10.20:8000/TCP", "[10.244.1.11:8080, 10.244.2.12:8080]", "10.96.0.10:53/UDP", "[10.244.2.53:53]"),
                programmed(), "no service is flushed because the API server went away");

        // back, with the cart service deleted meanwhile
        api.restartClosed();
        k.services().inNamespace("shop").withName("cart").delete();
        api.open();
        await("deleted during the outage", Map.of("10.96.0.10:53/UDP", "[10.244.2.53:53]"));
    }

    private void await(String what, Map<String, String> expected) throws InterruptedException {
        Supplier<Map<String, String>> now = this::programmed;
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end && !now.get().equals(expected)) {
            Thread.sleep(20);
        }
        assertEquals(expected, now.get(), what);
    }
}
