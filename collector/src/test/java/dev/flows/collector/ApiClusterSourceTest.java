package dev.flows.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.flows.cluster.KubernetesClusterSource;
import dev.flows.cluster.testing.ApiObjects;
import dev.flows.cluster.testing.MockApiServer;
import dev.flows.collector.bpf.FakeEventSource;
import dev.flows.collector.config.CollectorConfig;
import dev.flows.collector.decode.TraceEvents;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.ObserverGrpc;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The collector's real wiring (observe mode, fake ring) fed by the API source from fabric8's mock
 * API server: what a client of GetFlows sees follows pods created, relabelled and deleted through
 * the API, and a change reaches the enricher soon after the API server took it.
 */
class ApiClusterSourceTest {
    private MockApiServer api;
    private KubernetesClient k;
    private KubernetesClusterSource source;
    private Collector collector;
    private ManagedChannel channel;
    private final FakeEventSource ring = new FakeEventSource();
    private int port = 30_000;

    @BeforeEach
    void start() throws Exception {
        api = new MockApiServer();
        k = api.admin();
        ApiObjects.shop(k);
        source = KubernetesClusterSource.connect(api.config(), n -> {}, w -> {});
        assertTrue(source.awaitSynced(Duration.ofSeconds(10)));
        CollectorConfig config = new CollectorConfig();
        new CommandLine(config).parseArgs("--node-name", "node-a", "--listen", "127.0.0.1:4244", "--metrics-listen", "off", "--disable-server-tls",
                "--mode", "observe", "--cluster-source", "api");
        config.validate();
        String name = InProcessServerBuilder.generateName();
        collector = new Collector(config, source.current(), new Collector.Seams(null, ring,
                System::nanoTime, () -> 0, System::nanoTime, InProcessServerBuilder.forName(name)));
        // what Collector.start does once the pipeline runs
        source.listen(collector::updateCluster);
        collector.serve();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        collector.close();
        source.close();
        api.close();
    }

    @Test
    void podsCreatedRelabelledAndDeletedThroughTheApiNameTheFlows() throws Exception {
        assertEquals("cart-1", flowFrom("10.244.1.11").getSource().getPodName(), "the listed pods name flows");

        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String ip = "10.244.1." + (50 + i);
            String pod = "cart-x" + i;
            long t0 = System.nanoTime();
            k.pods().inNamespace("shop").resource(ApiObjects.pod("shop", pod, "node-a", ip, "cart")).create();
            awaitFlow(ip, f -> f.getSource().getPodName().equals(pod));
            latencies.add((System.nanoTime() - t0) / 1_000_000);
        }
        latencies.sort(null);
        System.out.println("API create -> enrichment, ms (5 pods, sorted): " + latencies);
        assertTrue(latencies.get(2) <= 100, "a change reaches enrichment within 100 ms (median): " + latencies);

        k.pods().inNamespace("shop").withName("cart-x0").edit(p -> { p.getMetadata().getLabels().put("app", "cart-canary"); return p; });
        awaitFlow("10.244.1.50", f -> f.getSource().getLabelsList().contains("k8s:app=cart-canary"));

        k.pods().inNamespace("shop").withName("cart-x0").delete();
        awaitFlow("10.244.1.50", f -> f.getSource().getPodName().isEmpty());
    }

    /** One flow from {@code ip} through the pipeline, as a client reads it back. */
    private Flow flowFrom(String ip) {
        ring.add(TraceEvents.tcp(ip, port++, "10.244.2.10", 8080, 0x02).ts(1_000).bytes());
        do {
            collector.readOnce();
        } while (collector.processOnce() > 0);
        List<GetFlowsResponse> last = new ArrayList<>();
        ObserverGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .getFlows(GetFlowsRequest.newBuilder().setNumber(1).build()).forEachRemaining(last::add);
        return last.stream().filter(GetFlowsResponse::hasFlow).map(GetFlowsResponse::getFlow).reduce((a, b) -> b).orElseThrow();
    }

    private void awaitFlow(String ip, Predicate<Flow> done) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        Flow f = null;
        while (System.nanoTime() < end) {
            f = flowFrom(ip);
            if (done.test(f)) {
                return;
            }
            Thread.sleep(2);
        }
        fail("not reached in 10 s; last flow: " + f);
    }
}
