package dev.flows.relay.export.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.flows.proto.flow.Flow;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.relay.export.FlowExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The Kafka exporter against a real broker (KRaft, its own JVM) that goes away and comes back:
 * what fits in the buffer bound waits and arrives exactly once, what does not is counted exactly,
 * and a consumer sees exactly what the exporter says it delivered.
 */
class KafkaExporterBrokerTest {
    private static final int CONNECTIONS = 64;
    private static final int BUFFER = 1 << 20;
    private static KafkaBroker broker;

    @BeforeAll
    static void brokerUp() throws Exception {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void brokerDown() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static KafkaExporter exporter(String topic, String... more) {
        List<String> args = new ArrayList<>(List.of("--kafka-bootstrap-servers", broker.bootstrap(), "--kafka-topic", topic));
        args.addAll(List.of(more));
        KafkaConfig c = new KafkaConfig();
        new CommandLine(c).parseArgs(args.toArray(String[]::new));
        c.validate();
        return KafkaExporter.start(c);
    }

    private static void waitFor(BooleanSupplier done, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    /** Every record arrived once, decodes, has its headers, and keeps its key's order. */
    private static Set<Long> checkConsumed(List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
        Set<Long> ids = new HashSet<>();
        Map<String, Long> lastPerKey = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Flow f = Flow.parseFrom(r.value());
            assertTrue(ids.add(f.getSocketCookie()), "flow " + f.getSocketCookie() + " arrived twice");
            assertEquals("protobuf", new String(r.headers().lastHeader(KafkaExporter.FORMAT_HEADER).value()));
            assertEquals(f.getNodeName(), new String(r.headers().lastHeader(KafkaExporter.NODE_HEADER).value()));
            String key = new String(r.key());
            Long before = lastPerKey.put(key, f.getSocketCookie());
            assertTrue(before == null || before < f.getSocketCookie(), "key " + key + ": flow " + f.getSocketCookie() + " after " + before);
        }
        return ids;
    }

    @Test
    void anOutageLosesOnlyWhatExceedsTheBufferAndCountsItExactly() throws Exception {
        String topic = "flows-outage";
        broker.createTopic(topic, 3);
        KafkaExporter kafka = exporter(topic, "--kafka-buffer", "1MiB", "--kafka-batch-size", "16KiB", "--kafka-compression", "none");
        Set<Long> offeredKept = new HashSet<>();
        long id = 0;
        try {
            // Broker up: everything arrives.
            for (; id < 2000; id++) {
                kafka.export(TestFlows.flow(id, CONNECTIONS));
                offeredKept.add(id);
            }
            waitFor(() -> kafka.sink().delivered() == 2000, Duration.ofSeconds(30), "2000 acknowledged records");

            // Broker away: flows wait in the buffer until it is full, then each is dropped at send.
            broker.stop();
            long keptBytes = 0;
            long droppedAtSend = 0;
            while (droppedAtSend < 500) {
                GetFlowsResponse r = TestFlows.flow(id, CONNECTIONS);
                long lostBefore = kafka.sink().lostTotal();
                kafka.export(r);
                if (kafka.sink().lostTotal() > lostBefore) {
                    droppedAtSend++;
                } else {
                    offeredKept.add(id);
                    keptBytes += r.getFlow().getSerializedSize();
                }
                id++;
            }
            FlowExporter.Sink during = kafka.sink();
            assertEquals(Map.of("buffer_full", 500L), during.lost(), "only the buffer bound drops, each counted");
            assertTrue(keptBytes > BUFFER / 4 && keptBytes < BUFFER, "the buffer held " + keptBytes + " bytes of flows, bound " + BUFFER);

            Thread.sleep(2000);
            broker.restart();
            waitFor(() -> kafka.sink().delivered() == offeredKept.size(), Duration.ofSeconds(60),
                    "the buffered flows to arrive after the broker came back: " + kafka.sink());

            // After the outage, the producer reconnected by itself: everything arrives again.
            for (long end = id + 2000; id < end; id++) {
                kafka.export(TestFlows.flow(id, CONNECTIONS));
                offeredKept.add(id);
            }
            waitFor(() -> kafka.sink().delivered() == offeredKept.size(), Duration.ofSeconds(30), "the flows after the outage");
        } finally {
            kafka.close();
        }
        FlowExporter.Sink end = kafka.sink();
        assertEquals(id, end.delivered() + end.lostTotal(), "offered = delivered + lost");
        assertEquals(Map.of("buffer_full", 500L), end.lost());

        List<ConsumerRecord<byte[], byte[]>> records = broker.consume(topic, end.delivered(), Duration.ofSeconds(30), Duration.ofSeconds(1));
        assertEquals(end.delivered(), records.size(), "the consumer sees exactly what was delivered");
        assertEquals(offeredKept, checkConsumed(records), "exactly the flows that were not dropped arrived");
    }

    @Test
    void flowsTheBrokersNeverAcknowledgeExpireAndAreCountedOnce() throws Exception {
        String topic = "flows-expiry";
        broker.createTopic(topic, 3);
        KafkaExporter kafka = exporter(topic, "--kafka-delivery-timeout", "2s", "--kafka-property", "request.timeout.ms=1000");
        try {
            // A running exporter (it has its producer id) whose brokers go away.
            for (long id = 0; id < 10; id++) {
                kafka.export(TestFlows.flow(id, CONNECTIONS));
            }
            waitFor(() -> kafka.sink().delivered() == 10, Duration.ofSeconds(30), "10 acknowledged records");
            broker.stop();
            for (long id = 10; id < 310; id++) {
                kafka.export(TestFlows.flow(id, CONNECTIONS));
            }
            assertEquals(Map.of(), kafka.sink().lost(), "all 300 fit the buffer");
            // The failure comes later, from the producer's own thread: still counted, once each.
            waitFor(() -> kafka.sink().lostTotal() == 300, Duration.ofSeconds(30), "300 flows to expire: " + kafka.sink());
            assertEquals(Map.of("expired", 300L), kafka.sink().lost());

            broker.restart();
            for (long id = 310; id < 610; id++) {
                kafka.export(TestFlows.flow(id, CONNECTIONS));
            }
            waitFor(() -> kafka.sink().delivered() == 310, Duration.ofSeconds(60), "the flows after the outage: " + kafka.sink());
        } finally {
            kafka.close();
        }
        assertEquals(Map.of("expired", 300L), kafka.sink().lost());
        List<ConsumerRecord<byte[], byte[]>> records = broker.consume(topic, 310, Duration.ofSeconds(30), Duration.ofSeconds(1));
        Set<Long> expected = new HashSet<>();
        for (long id = 0; id < 610; id++) {
            if (id < 10 || id >= 310) {
                expected.add(id);
            }
        }
        assertEquals(expected, checkConsumed(records), "only the flows sent while the broker was up arrived, once each");
    }
}
