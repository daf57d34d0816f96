package dev.flows.relay.export.kafka;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Kafka's clients log through SLF4J; flows binds it to java.util.logging. A producer pointed at a
 * broker that is not there must say so in the log, and must not print its settings.
 */
class KafkaLoggingTest {
    @Test
    void anUnreachableBrokerIsWarnedAboutAndTheSettingsDumpIsNotShown() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        List<LogRecord> shown = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (isLoggable(r)) {
                    shown.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger kafka = Logger.getLogger(KafkaLogging.LOGGER);
        kafka.addHandler(capture);
        KafkaLogging.warningsOnly();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000,
                ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, 1000),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            try {
                producer.partitionsFor("flows");
            } catch (org.apache.kafka.common.errors.TimeoutException expected) {
                // no broker: what matters is what the log said meanwhile
            }
        } finally {
            kafka.removeHandler(capture);
        }
        assertTrue(shown.stream().anyMatch(r -> r.getLevel().intValue() >= Level.WARNING.intValue()
                        && String.valueOf(r.getMessage()).contains("127.0.0.1")),
                "no warning naming the unreachable broker reached java.util.logging: " + messages(shown));
        assertTrue(shown.stream().noneMatch(r -> String.valueOf(r.getMessage()).contains("ProducerConfig values")),
                "Kafka's INFO settings dump was shown: " + messages(shown));
    }

    private static List<String> messages(List<LogRecord> records) {
        return records.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList();
    }
}
