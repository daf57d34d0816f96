package dev.flows.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.flows.lab.LabState;
import dev.flows.proto.flow.Flow;
import dev.flows.relay.export.kafka.KafkaBroker;
import dev.flows.testing.BpfGate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Kafka topic end to end: the lab's relay exports to a real broker (KRaft, on loopback, its
 * own JVM) while the lab's traffic runs; then the traffic stops at its source and a consumer must
 * find every record the relay says it delivered, once each, decodable, with its headers, a
 * connection's both directions in one partition and each node's flows of a connection in order.
 */
@Tag("lab")
class KafkaLabTest {
    private static final String METRICS = "http://127.0.0.1:9965/metrics";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The relay's kafka sample of one metric family (summed over the other labels), or -1 if absent. */
    private static long metric(String body, String family) {
        return body.lines().filter(l -> l.startsWith(family + "{") && l.contains("exporter=\"kafka\""))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .reduce(Long::sum).orElse(-1);
    }

    private static String scrape() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(METRICS)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void everyFlowTheRelayDeliveredArrivesOnceDecodedAndInOrderPerConnection() throws Exception {
        BpfGate.require();
        try (KafkaBroker broker = KafkaBroker.start()) {
            broker.createTopic("flows", 3);
            LabCli lab = LabCli.up("flows-kafka-lab", List.of("--kafka-bootstrap-servers=" + broker.bootstrap()));
            long delivered;
            try {
                Thread.sleep(8000);
                LabCli.Result status = lab.flows(List.of("status"), 60);
                assertEquals(0, status.exit(), status.err());
                assertTrue(status.out().contains("Lost by the relay's exporters: 0 "), status.out());

                // Stop the traffic at its source, then wait until the relay has nothing left to send.
                for (LabState.Proc p : new LabState(lab.stateDir()).processes()) {
                    if (p.role().startsWith("collector-") && LabState.alive(p)) {
                        LabCli.run("kill", "-TERM", Long.toString(p.pid()));
                    }
                }
                delivered = -1;
                String body = "";
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (true) {
                    Thread.sleep(3000);
                    body = scrape();
                    long now = metric(body, "flows_export_delivered_total");
                    if (now == delivered && metric(body, "flows_export_queue_depth") == 0) {
                        break;
                    }
                    delivered = now;
                    if (System.nanoTime() > deadline) {
                        fail("the relay kept delivering for 60 s after the collectors stopped:\n" + body);
                    }
                }
                assertTrue(delivered > 200, "the relay delivered only " + delivered + " records in 8 s of lab traffic");
                assertEquals(-1, metric(body, "flows_export_lost_total"), "records lost:\n" + body);
                assertEquals(0, metric(body, "flows_export_dropped_total"), "queue drops:\n" + body);
                assertEquals(0, metric(body, "flows_export_failed_total"), "failed exports:\n" + body);
            } finally {
                lab.down();
            }

            List<ConsumerRecord<byte[], byte[]>> records = broker.consume("flows", delivered, Duration.ofSeconds(60), Duration.ofSeconds(2));
            assertEquals(delivered, records.size(), "records in the topic vs records the relay delivered");
            Set<ByteBuffer> seen = new HashSet<>();
            Map<String, Integer> partitionOfKey = new HashMap<>();
            Map<String, Long> lastTime = new HashMap<>();
            Map<String, Set<Boolean>> directions = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                assertTrue(seen.add(ByteBuffer.wrap(r.value())), "a record arrived twice: offset " + r.offset() + " of partition " + r.partition());
                Flow f = Flow.parseFrom(r.value());
                assertEquals("protobuf", header(r, "flows.format"));
                assertEquals(f.getNodeName(), header(r, "flows.node"));
                assertFalse(f.getNodeName().isEmpty(), "flow without node: " + f);
                String key = new String(r.key(), StandardCharsets.UTF_8);
                Integer before = partitionOfKey.putIfAbsent(key, r.partition());
                assertTrue(before == null || before == r.partition(), "connection " + key + " in partitions " + before + " and " + r.partition());
                long t = f.getTime().getSeconds() * 1_000_000_000L + f.getTime().getNanos();
                Long last = lastTime.put(key + " " + f.getNodeName(), t);
                assertTrue(last == null || last <= t, "connection " + key + " at " + f.getNodeName() + ": a flow of " + t + " after one of " + last);
                if (f.hasIsReply()) {
                    directions.computeIfAbsent(key, k -> new HashSet<>()).add(f.getIsReply().getValue());
                }
            }
            assertTrue(directions.values().stream().anyMatch(d -> d.size() == 2),
                    "no connection had its requests and replies under one key: " + directions.keySet());
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        assertTrue(r.headers().lastHeader(name) != null, "record without header " + name);
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
