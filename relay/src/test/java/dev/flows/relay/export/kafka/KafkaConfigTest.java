package dev.flows.relay.export.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.Options;
import org.junit.jupiter.api.Test;

class KafkaConfigTest {

    private static KafkaConfig config(String... args) {
        KafkaConfig c = Options.parse(new KafkaConfig(), args);
        c.validate();
        return c;
    }

    private static String error(String... args) {
        return assertThrows(ConfigException.class, () -> config(args)).getMessage();
    }

    @Test
    void offWithoutBrokersAndTheDocumentedDefaultsWithThem() {
        assertFalse(config().enabled());
        KafkaConfig c = config("--kafka-bootstrap-servers", "kafka-0:9092, kafka-1:9092");
        assertTrue(c.enabled());
        assertEquals("flows", c.topic());
        assertNull(c.dropsTopic());
        assertNull(c.policyTopic());
        assertEquals(KafkaConfig.Format.PROTOBUF, c.format());
        assertEquals("kafka-0:9092,kafka-1:9092", c.producer().get("bootstrap.servers"));
        assertEquals("all", c.producer().get("acks"));
        assertEquals(true, c.producer().get("enable.idempotence"));
        assertEquals(0L, c.producer().get("max.block.ms"));
        assertEquals("zstd", c.producer().get("compression.type"));
        assertEquals(10L, c.producer().get("linger.ms"));
        assertEquals(256 * 1024, c.producer().get("batch.size"));
        assertEquals(64L << 20, c.producer().get("buffer.memory"));
        assertEquals(120_000, c.producer().get("delivery.timeout.ms"));
    }

    @Test
    void extraTopicsByFlagAloneOrByName() {
        KafkaConfig c = config("--kafka-bootstrap-servers", "k:9092", "--kafka-drops-topic", "--kafka-policy-topic=sec.policy");
        assertEquals("flows.drops", c.dropsTopic());
        assertEquals("sec.policy", c.policyTopic());
    }

    @Test
    void securitySettingsPassThrough() {
        KafkaConfig c = config("--kafka-bootstrap-servers", "k:9093", "--kafka-property", "security.protocol=SASL_SSL",
                "--kafka-property", "sasl.mechanism=SCRAM-SHA-512", "--kafka-property", "ssl.truststore.location=/etc/flows/ts.jks");
        assertEquals("SASL_SSL", c.producer().get("security.protocol"));
        assertEquals("SCRAM-SHA-512", c.producer().get("sasl.mechanism"));
        assertEquals("/etc/flows/ts.jks", c.producer().get("ssl.truststore.location"));
    }

    @Test
    void badValuesAreNamedWithWhatIsValid() {
        String k = "--kafka-bootstrap-servers";
        assertTrue(error(k, "kafka").contains("--kafka-bootstrap-servers kafka: must be HOST:PORT"));
        assertTrue(error(k, "k:9092", "--kafka-format", "avro").contains("--kafka-format avro: must be protobuf or json"));
        assertTrue(error(k, "k:9092", "--kafka-compression", "brotli").contains("--kafka-compression brotli: must be zstd, lz4, snappy, gzip or none"));
        assertTrue(error(k, "k:9092", "--kafka-topic", "flows/all").contains("--kafka-topic flows/all: must be"));
        assertTrue(error(k, "k:9092", "--kafka-buffer", "64MB").contains("--kafka-buffer 64MB: must be bytes"));
        assertTrue(error(k, "k:9092", "--kafka-buffer", "16KiB").contains("must be at least --kafka-batch-size"));
        assertTrue(error(k, "k:9092", "--kafka-linger", "fast").contains("--kafka-linger fast"));
        assertTrue(error(k, "k:9092", "--kafka-delivery-timeout", "5s").contains("request.timeout.ms (30000 ms)"));
        assertTrue(error(k, "k:9092", "--kafka-property", "acks=1").contains("acks is fixed: acks=all"));
        assertTrue(error(k, "k:9092", "--kafka-property", "buffer.memory=1").contains("buffer.memory is set by --kafka-buffer"));
        assertTrue(error(k, "k:9092", "--kafka-property", "sasl.mechanizm=PLAIN").contains("sasl.mechanizm is not a Kafka producer setting"));
        assertTrue(error(k, "k:9092", "--kafka-property", "security.protocol").contains("must be KEY=VALUE"));
        assertTrue(error(k, "k:9092", "--kafka-property", "security.protocol=TLS").contains("--kafka-property: "));
    }

    @Test
    void eachBadValueIsOneLineWithFlagValueAndWhatIsValid() {
        String k = "--kafka-bootstrap-servers";
        assertEquals("--kafka-batch-size 12X: must be bytes between 1KiB and 2GiB, e.g. 262144, 256KiB, 64MiB",
                error(k, "k:9092", "--kafka-batch-size", "12X"));
        assertEquals("--kafka-batch-size 1000: must be bytes between 1KiB and 2GiB, e.g. 262144, 256KiB, 64MiB",
                error(k, "k:9092", "--kafka-batch-size", "1000"));
        assertEquals("--kafka-buffer 4GiB: must be bytes between 1KiB and 2GiB, e.g. 262144, 256KiB, 64MiB",
                error(k, "k:9092", "--kafka-buffer", "4GiB"));
        assertEquals("--kafka-buffer 16KiB: must be at least --kafka-batch-size 256KiB", error(k, "k:9092", "--kafka-buffer", "16KiB"));
        assertEquals("--kafka-linger fast: must be a number with ms, s, m or h, e.g. 500ms, 5s", error(k, "k:9092", "--kafka-linger", "fast"));
        assertEquals("--kafka-delivery-timeout 5s: must be at least --kafka-linger plus request.timeout.ms (30000 ms)",
                error(k, "k:9092", "--kafka-delivery-timeout", "5s"));
        assertEquals("--kafka-drops-topic a/b: must be 1-249 of a-z A-Z 0-9 . _ - (and not . or ..)",
                error(k, "k:9092", "--kafka-drops-topic=a/b"));
        assertEquals("--kafka-property acks=1: acks is fixed: acks=all is how the exporter knows a flow is stored",
                error(k, "k:9092", "--kafka-property", "acks=1"));
        assertEquals("--kafka-property request.timeout.ms=soon: must be a number of milliseconds",
                error(k, "k:9092", "--kafka-property", "request.timeout.ms=soon"));
    }

    @Test
    void sizesAndDurationsReachTheProducerInItsUnits() {
        KafkaConfig c = config("--kafka-bootstrap-servers", "[::1]:9092", "--kafka-batch-size", "65536", "--kafka-buffer", "1GiB",
                "--kafka-linger", "1s", "--kafka-compression", "lz4", "--kafka-drops-topic", "off", "--kafka-format", "json");
        assertEquals("[::1]:9092", c.producer().get("bootstrap.servers"));
        assertEquals(65536, c.producer().get("batch.size"));
        assertEquals(1L << 30, c.producer().get("buffer.memory"));
        assertEquals(1000L, c.producer().get("linger.ms"));
        assertEquals("lz4", c.producer().get("compression.type"));
        assertNull(c.dropsTopic());
        assertEquals(KafkaConfig.Format.JSON, c.format());
    }
}
