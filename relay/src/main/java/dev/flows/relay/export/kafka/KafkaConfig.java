package dev.flows.relay.export.kafka;

import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.Durations;
import dev.flows.observer.config.HostPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerConfig;
import picocli.CommandLine.Option;

/**
 * The relay's Kafka settings, declared once (a picocli {@code @Mixin}): where the brokers are,
 * which topics get which flows in which format, and how the producer batches and bounds its
 * memory. The exporter is off unless {@code --kafka-bootstrap-servers} is given. Checked by
 * {@link #validate()}; immutable afterwards.
 */
public final class KafkaConfig {
    /** Value formats: protobuf {@code flow.Flow}, or one JSON GetFlowsResponse as {@code flows observe -o json} prints it. */
    public enum Format { PROTOBUF, JSON }

    private static final List<String> COMPRESSIONS = List.of("zstd", "lz4", "snappy", "gzip", "none");
    private static final Pattern SIZE = Pattern.compile("(\\d+)(|KiB|MiB|GiB)");
    // Producer settings this class owns, and why --kafka-property may not set them.
    private static final Map<String, String> OWNED = Map.ofEntries(
            Map.entry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "is set by --kafka-bootstrap-servers"),
            Map.entry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "is set by --kafka-compression"),
            Map.entry(ProducerConfig.LINGER_MS_CONFIG, "is set by --kafka-linger"),
            Map.entry(ProducerConfig.BATCH_SIZE_CONFIG, "is set by --kafka-batch-size"),
            Map.entry(ProducerConfig.BUFFER_MEMORY_CONFIG, "is set by --kafka-buffer"),
            Map.entry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "is set by --kafka-delivery-timeout"),
            Map.entry(ProducerConfig.ACKS_CONFIG, "is fixed: acks=all is how the exporter knows a flow is stored"),
            Map.entry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "is fixed: the producer is always idempotent (no duplicates on retry)"),
            Map.entry(ProducerConfig.MAX_BLOCK_MS_CONFIG, "is fixed: the exporter never blocks (max.block.ms=0), it drops and counts"),
            Map.entry(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "is fixed: keys are connection keys"),
            Map.entry(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "is set by --kafka-format"),
            Map.entry(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "is fixed: the exporter does not use transactions"));
    private static final int DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

    @Option(names = "--kafka-bootstrap-servers", paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Kafka brokers to start from; the Kafka exporter is off without them. Default: off.")
    private String bootstrap;

    @Option(names = "--kafka-topic", paramLabel = "NAME", defaultValue = "flows",
            description = "Topic that gets every flow. Default: ${DEFAULT-VALUE}.")
    private String topic;

    @Option(names = "--kafka-drops-topic", paramLabel = "NAME", arity = "0..1", fallbackValue = "flows.drops",
            description = "Also send dropped flows (verdict DROPPED) to this topic; the flag alone means flows.drops. Default: off.")
    private String dropsTopic;

    @Option(names = "--kafka-policy-topic", paramLabel = "NAME", arity = "0..1", fallbackValue = "flows.policy",
            description = "Also send policy verdicts and policy denials to this topic; the flag alone means flows.policy. Default: off.")
    private String policyTopic;

    @Option(names = "--kafka-format", paramLabel = "protobuf|json", defaultValue = "protobuf",
            description = "Record value: protobuf flow.Flow, or json (one GetFlowsResponse in protobuf JSON, as "
                    + "'flows observe -o json' prints a line). Default: ${DEFAULT-VALUE}.")
    private String format;

    @Option(names = "--kafka-compression", paramLabel = "zstd|lz4|snappy|gzip|none", defaultValue = "zstd",
            description = "Compression of record batches. Default: ${DEFAULT-VALUE}.")
    private String compression;

    @Option(names = "--kafka-linger", paramLabel = "DURATION", defaultValue = "10ms",
            description = "How long a batch waits for more flows before it is sent (linger.ms). Default: ${DEFAULT-VALUE}.")
    private String linger;

    @Option(names = "--kafka-batch-size", paramLabel = "SIZE", defaultValue = "256KiB",
            description = "Most bytes in one batch per partition (batch.size), e.g. 65536, 256KiB, 1MiB. Default: ${DEFAULT-VALUE}.")
    private String batchSize;

    @Option(names = "--kafka-buffer", paramLabel = "SIZE", defaultValue = "64MiB",
            description = "Bound on the memory of flows waiting for the brokers (buffer.memory). While the brokers are away "
                    + "flows wait here; beyond it they are dropped and counted (reason buffer_full). Default: ${DEFAULT-VALUE}.")
    private String buffer;

    @Option(names = "--kafka-delivery-timeout", paramLabel = "DURATION", defaultValue = "2m",
            description = "How long a flow may wait for the brokers before it is dropped and counted (reason expired; "
                    + "delivery.timeout.ms). Default: ${DEFAULT-VALUE}.")
    private String deliveryTimeout;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "A Kafka producer setting passed through, e.g. security.protocol=SASL_SSL, "
                    + "ssl.truststore.location=/etc/flows/truststore.jks, sasl.mechanism=SCRAM-SHA-512, sasl.jaas.config=... "
                    + "Repeat for each setting. Default: none.")
    private List<String> properties = new ArrayList<>();

    private Format formatParsed;
    private Map<String, Object> producerParsed;

    /** Checks every value once; the message names the flag, the bad value and what is valid. */
    public void validate() {
        if (bootstrap == null) {
            return;
        }
        List<String> servers = new ArrayList<>();
        for (String s : bootstrap.split(",")) {
            HostPort.unresolved("--kafka-bootstrap-servers", s.strip());
            servers.add(s.strip());
        }
        topic("--kafka-topic", topic);
        if (dropsTopic != null && !dropsTopic.equals("off")) {
            topic("--kafka-drops-topic", dropsTopic);
        }
        if (policyTopic != null && !policyTopic.equals("off")) {
            topic("--kafka-policy-topic", policyTopic);
        }
        formatParsed = switch (format) {
            case "protobuf" -> Format.PROTOBUF;
            case "json" -> Format.JSON;
            default -> throw new ConfigException("--kafka-format " + format + ": must be protobuf or json");
        };
        if (!COMPRESSIONS.contains(compression)) {
            throw new ConfigException("--kafka-compression " + compression + ": must be one of " + String.join(", ", COMPRESSIONS));
        }
        Duration lingerParsed = Durations.parse("--kafka-linger", linger);
        long batch = size("--kafka-batch-size", batchSize);
        long bufferBytes = size("--kafka-buffer", buffer);
        if (bufferBytes < batch) {
            throw new ConfigException("--kafka-buffer " + buffer + ": must be at least --kafka-batch-size " + batchSize);
        }
        Map<String, Object> p = new HashMap<>();
        for (String kv : properties) {
            int eq = kv.indexOf('=');
            String key = eq < 0 ? kv : kv.substring(0, eq).strip();
            if (eq <= 0) {
                throw new ConfigException("--kafka-property " + kv + ": must be KEY=VALUE, e.g. security.protocol=SSL");
            }
            if (OWNED.containsKey(key)) {
                throw new ConfigException("--kafka-property " + kv + ": " + key + " " + OWNED.get(key));
            }
            if (!ProducerConfig.configNames().contains(key)) {
                throw new ConfigException("--kafka-property " + kv + ": " + key + " is not a Kafka producer setting "
                        + "(see ProducerConfig: security.protocol, ssl.*, sasl.*, client.id, ...)");
            }
            p.put(key, kv.substring(eq + 1));
        }
        Duration delivery = Durations.parse("--kafka-delivery-timeout", deliveryTimeout);
        long requestTimeout = requestTimeout(p);
        if (delivery.toMillis() < lingerParsed.toMillis() + requestTimeout) {
            throw new ConfigException("--kafka-delivery-timeout " + deliveryTimeout + ": must be at least --kafka-linger plus "
                    + "request.timeout.ms (" + requestTimeout + " ms)");
        }
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", servers));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0L);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        p.put(ProducerConfig.LINGER_MS_CONFIG, lingerParsed.toMillis());
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, (int) batch);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, bufferBytes);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, delivery.toMillis()));
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "flows-relay");
        try {
            new ProducerConfig(withSerializers(p));
        } catch (org.apache.kafka.common.config.ConfigException e) {
            throw new ConfigException("--kafka-property: " + e.getMessage());
        }
        producerParsed = Collections.unmodifiableMap(p);
    }

    private static long requestTimeout(Map<String, Object> p) {
        Object v = p.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG);
        try {
            return v == null ? DEFAULT_REQUEST_TIMEOUT_MS : Long.parseLong(v.toString().strip());
        } catch (NumberFormatException e) {
            throw new ConfigException("--kafka-property request.timeout.ms=" + v + ": must be a number of milliseconds");
        }
    }

    private static Map<String, Object> withSerializers(Map<String, Object> p) {
        Map<String, Object> all = new LinkedHashMap<>(p);
        all.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArraySerializer");
        all.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArraySerializer");
        return all;
    }

    private static void topic(String flag, String name) {
        // Kafka's own rule for topic names.
        if (name.isEmpty() || name.length() > 249 || !name.matches("[a-zA-Z0-9._-]+") || name.equals(".") || name.equals("..")) {
            throw new ConfigException(flag + " " + name + ": must be 1-249 of a-z A-Z 0-9 . _ - (and not . or ..)");
        }
    }

    private static long size(String flag, String value) {
        Matcher m = SIZE.matcher(value.strip());
        long n;
        try {
            if (!m.matches()) {
                throw new NumberFormatException();
            }
            n = Math.multiplyExact(Long.parseLong(m.group(1)), switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "kib" -> 1L << 10;
                case "mib" -> 1L << 20;
                case "gib" -> 1L << 30;
                default -> 1L;
            });
        } catch (ArithmeticException | NumberFormatException e) {
            n = -1;
        }
        if (n < 1024 || n > Integer.MAX_VALUE) {
            throw new ConfigException(flag + " " + value + ": must be bytes between 1KiB and 2GiB, e.g. 262144, 256KiB, 64MiB");
        }
        return n;
    }

    /** Whether the Kafka exporter runs (brokers given). */
    public boolean enabled() { return producerParsed != null; }
    public String topic() { return topic; }
    /** Topic for dropped flows, or null when off. */
    public String dropsTopic() { return dropsTopic == null || dropsTopic.equals("off") ? null : dropsTopic; }
    /** Topic for policy verdicts and denials, or null when off. */
    public String policyTopic() { return policyTopic == null || policyTopic.equals("off") ? null : policyTopic; }
    public Format format() { return formatParsed; }
    /** The producer's settings (serializers aside): ours, and the passed-through ones. */
    public Map<String, Object> producer() { return producerParsed; }
}
