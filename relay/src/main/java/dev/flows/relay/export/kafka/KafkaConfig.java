package dev.flows.relay.export.kafka;

import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.Converters;
import dev.flows.observer.config.Durations;
import dev.flows.observer.config.HostPort;
import dev.flows.observer.config.LowerCaseEnum;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerConfig;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The relay's Kafka settings, declared once (a picocli {@code @Mixin}): where the brokers are,
 * which topics get which flows in which format, and how the producer batches and bounds its
 * memory. The exporter is off unless {@code --kafka-bootstrap-servers} is given. Each value is
 * converted to its type at parse; {@link #validate()} checks the settings that go together and
 * changes nothing.
 */
public final class KafkaConfig {
    /** Value formats: protobuf {@code flow.Flow}, or one JSON GetFlowsResponse as {@code flows observe -o json} prints it. */
    public enum Format { PROTOBUF, JSON }

    /** Record batch compressions, as Kafka's compression.type names them. */
    enum Compression { ZSTD, LZ4, SNAPPY, GZIP, NONE }

    static final class FormatConverter extends LowerCaseEnum<Format> { FormatConverter() { super(Format.class); } }
    static final class CompressionConverter extends LowerCaseEnum<Compression> { CompressionConverter() { super(Compression.class); } }

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

    /** One broker of the list; "kafka-0:9092, kafka-1:9092" is read as two. */
    static final class Broker implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            return new Converters.Peer().convert(value.strip());
        }
    }

    /** A topic name by Kafka's own rule. */
    static final class Topic implements ITypeConverter<String> {
        @Override
        public String convert(String name) {
            if (name.isEmpty() || name.length() > 249 || !name.matches("[a-zA-Z0-9._-]+") || name.equals(".") || name.equals("..")) {
                throw new TypeConversionException(name + ": must be 1-249 of a-z A-Z 0-9 . _ - (and not . or ..)");
            }
            return name;
        }
    }

    /** A topic, or "off" (null) for an extra topic that is not wanted. */
    static final class TopicOrOff implements ITypeConverter<String> {
        @Override
        public String convert(String name) {
            return name.equals("off") ? null : new Topic().convert(name);
        }
    }

    /** Bytes as a number or with KiB, MiB or GiB, within the int range Kafka's sizes have. */
    static final class Size implements ITypeConverter<Integer> {
        private static final Pattern FORM = Pattern.compile("(\\d+)(|KiB|MiB|GiB)");
        private static final List<String> UNITS = List.of("", "KiB", "MiB", "GiB");

        @Override
        public Integer convert(String value) {
            Matcher m = FORM.matcher(value.strip());
            long n = -1;
            if (m.matches()) {
                try {
                    n = Math.multiplyExact(Long.parseLong(m.group(1)), 1L << (10 * UNITS.indexOf(m.group(2))));
                } catch (ArithmeticException | NumberFormatException e) {
                    n = -1;
                }
            }
            if (n < 1024 || n > Integer.MAX_VALUE) {
                throw new TypeConversionException(value + ": must be bytes between 1KiB and 2GiB, e.g. 262144, 256KiB, 64MiB");
            }
            return (int) n;
        }

        /** {@code bytes} in the largest unit that divides it ("256KiB", "1000"), for messages that quote a setting. */
        static String format(long bytes) {
            int unit = 0;
            while (unit < UNITS.size() - 1 && bytes != 0 && bytes % (1L << (10 * (unit + 1))) == 0) {
                unit++;
            }
            return (bytes >> (10 * unit)) + UNITS.get(unit);
        }
    }

    /** One producer setting passed through: KEY=VALUE, a setting Kafka knows and this class does not own. */
    static final class Property implements ITypeConverter<Map.Entry<String, String>> {
        @Override
        public Map.Entry<String, String> convert(String kv) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new TypeConversionException(kv + ": must be KEY=VALUE, e.g. security.protocol=SSL");
            }
            String key = kv.substring(0, eq).strip();
            if (OWNED.containsKey(key)) {
                throw new TypeConversionException(kv + ": " + key + " " + OWNED.get(key));
            }
            if (!ProducerConfig.configNames().contains(key)) {
                throw new TypeConversionException(kv + ": " + key + " is not a Kafka producer setting "
                        + "(see ProducerConfig: security.protocol, ssl.*, sasl.*, client.id, ...)");
            }
            return Map.entry(key, kv.substring(eq + 1));
        }
    }

    @Option(names = "--kafka-bootstrap-servers", converter = Broker.class, split = ",", paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Kafka brokers to start from; the Kafka exporter is off without them. Default: off.")
    private List<InetSocketAddress> bootstrap = List.of();

    @Option(names = "--kafka-topic", converter = Topic.class, paramLabel = "NAME", defaultValue = "flows",
            description = "Topic that gets every flow. Default: ${DEFAULT-VALUE}.")
    private String topic;

    @Option(names = "--kafka-drops-topic", converter = TopicOrOff.class, paramLabel = "NAME", arity = "0..1", fallbackValue = "flows.drops",
            description = "Also send dropped flows (verdict DROPPED) to this topic; the flag alone means flows.drops. Default: off.")
    private String dropsTopic;

    @Option(names = "--kafka-policy-topic", converter = TopicOrOff.class, paramLabel = "NAME", arity = "0..1", fallbackValue = "flows.policy",
            description = "Also send policy verdicts and policy denials to this topic; the flag alone means flows.policy. Default: off.")
    private String policyTopic;

    @Option(names = "--kafka-format", converter = FormatConverter.class, paramLabel = "protobuf|json", defaultValue = "protobuf",
            description = "Record value: protobuf flow.Flow, or json (one GetFlowsResponse in protobuf JSON, as "
                    + "'flows observe -o json' prints a line). Default: ${DEFAULT-VALUE}.")
    private Format format;

    @Option(names = "--kafka-compression", converter = CompressionConverter.class, paramLabel = "zstd|lz4|snappy|gzip|none",
            defaultValue = "zstd", description = "Compression of record batches. Default: ${DEFAULT-VALUE}.")
    private Compression compression;

    @Option(names = "--kafka-linger", converter = Converters.DurationConverter.class, paramLabel = "DURATION", defaultValue = "10ms",
            description = "How long a batch waits for more flows before it is sent (linger.ms). Default: ${DEFAULT-VALUE}.")
    private Duration linger;

    @Option(names = "--kafka-batch-size", converter = Size.class, paramLabel = "SIZE", defaultValue = "256KiB",
            description = "Most bytes in one batch per partition (batch.size), e.g. 65536, 256KiB, 1MiB. Default: ${DEFAULT-VALUE}.")
    private int batchSize;

    @Option(names = "--kafka-buffer", converter = Size.class, paramLabel = "SIZE", defaultValue = "64MiB",
            description = "Bound on the memory of flows waiting for the brokers (buffer.memory). While the brokers are away "
                    + "flows wait here; beyond it they are dropped and counted (reason buffer_full). Default: ${DEFAULT-VALUE}.")
    private int buffer;

    @Option(names = "--kafka-delivery-timeout", converter = Converters.DurationConverter.class, paramLabel = "DURATION", defaultValue = "2m",
            description = "How long a flow may wait for the brokers before it is dropped and counted (reason expired; "
                    + "delivery.timeout.ms). Default: ${DEFAULT-VALUE}.")
    private Duration deliveryTimeout;

    @Option(names = "--kafka-property", converter = Property.class, paramLabel = "KEY=VALUE",
            description = "A Kafka producer setting passed through, e.g. security.protocol=SASL_SSL, "
                    + "ssl.truststore.location=/etc/flows/truststore.jks, sasl.mechanism=SCRAM-SHA-512, sasl.jaas.config=... "
                    + "Repeat for each setting. Default: none.")
    private List<Map.Entry<String, String>> properties = List.of();

    /**
     * Checks the settings that go together, when the exporter is on; changes nothing. The message
     * names the flag, the bad value and what is valid.
     */
    public void validate() {
        if (!enabled()) {
            return;
        }
        if (buffer < batchSize) {
            throw new ConfigException("--kafka-buffer " + Size.format(buffer) + ": must be at least --kafka-batch-size "
                    + Size.format(batchSize));
        }
        long requestTimeout = requestTimeout();
        if (deliveryTimeout.toMillis() < linger.toMillis() + requestTimeout) {
            throw new ConfigException("--kafka-delivery-timeout " + Durations.format(deliveryTimeout) + ": must be at least "
                    + "--kafka-linger plus request.timeout.ms (" + requestTimeout + " ms)");
        }
        Map<String, Object> all = new LinkedHashMap<>(producer());
        all.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArraySerializer");
        all.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArraySerializer");
        try {
            new ProducerConfig(all);
        } catch (org.apache.kafka.common.config.ConfigException e) {
            throw new ConfigException("--kafka-property: " + e.getMessage());
        }
    }

    private long requestTimeout() {
        String v = passedThrough().get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG);
        try {
            return v == null ? DEFAULT_REQUEST_TIMEOUT_MS : Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new ConfigException("--kafka-property request.timeout.ms=" + v + ": must be a number of milliseconds");
        }
    }

    /** The --kafka-property settings; a key given twice keeps its last value. */
    private Map<String, String> passedThrough() {
        Map<String, String> p = new LinkedHashMap<>();
        properties.forEach(e -> p.put(e.getKey(), e.getValue()));
        return p;
    }

    /** Whether the Kafka exporter runs (brokers given). */
    public boolean enabled() { return !bootstrap.isEmpty(); }
    public String topic() { return topic; }
    /** Topic for dropped flows, or null when off. */
    public String dropsTopic() { return dropsTopic; }
    /** Topic for policy verdicts and denials, or null when off. */
    public String policyTopic() { return policyTopic; }
    public Format format() { return format; }

    /** The producer's settings (serializers aside): the passed-through ones, then ours; derived from the fields, not stored. */
    public Map<String, Object> producer() {
        Map<String, Object> p = new LinkedHashMap<>(passedThrough());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.stream().map(HostPort::format).collect(Collectors.joining(",")));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0L);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, LowerCaseEnum.name(compression));
        p.put(ProducerConfig.LINGER_MS_CONFIG, linger.toMillis());
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, batchSize);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, (long) buffer);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, deliveryTimeout.toMillis()));
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "flows-relay");
        return Collections.unmodifiableMap(p);
    }
}
