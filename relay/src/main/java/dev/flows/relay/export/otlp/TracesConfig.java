package dev.flows.relay.export.otlp;

import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.Converters;
import dev.flows.observer.config.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The relay's OTLP trace settings, declared once (a picocli {@code @Mixin}): where spans go and
 * how, how many traces are kept, how the batch span processor batches, and how long a connection
 * may be silent before its next flow starts a new trace. Each value is converted to its type at
 * parse; {@link #validate()} checks ranges and changes nothing. Without {@code --otlp-endpoint}
 * the exporter is off and costs nothing.
 */
public final class TracesConfig {
    /** The OTLP transports the SDK offers. */
    public enum Protocol {
        GRPC("grpc"), HTTP_PROTOBUF("http/protobuf");

        private final String option;

        Protocol(String option) {
            this.option = option;
        }

        public String option() {
            return option;
        }
    }

    /** --otlp-protocol as the OTLP exporter spec spells it ("http/protobuf", which is no enum constant's name). */
    static final class ProtocolConverter implements ITypeConverter<Protocol> {
        @Override
        public Protocol convert(String value) {
            for (Protocol p : Protocol.values()) {
                if (p.option().equals(value)) {
                    return p;
                }
            }
            throw new TypeConversionException(value + ": must be grpc or http/protobuf");
        }
    }

    /** An http:// or https:// URL with a host. */
    static final class Url implements ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            URI uri;
            try {
                uri = new URI(value);
            } catch (URISyntaxException e) {
                throw new TypeConversionException(value + ": not a URL (" + e.getReason() + "); e.g. http://otel-collector:4317");
            }
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new TypeConversionException(value + ": must be http://HOST:PORT or https://HOST:PORT");
            }
            return uri;
        }
    }

    /** KEY=VALUE, both stripped. */
    static final class Header implements ITypeConverter<Map.Entry<String, String>> {
        @Override
        public Map.Entry<String, String> convert(String kv) {
            int eq = kv.indexOf('=');
            if (eq < 1) {
                throw new TypeConversionException(kv + ": must be KEY=VALUE");
            }
            return Map.entry(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
        }
    }

    /** OTLP/HTTP's path for traces, added when the endpoint has none (as the OTLP exporter spec does). */
    static final String HTTP_TRACES_PATH = "/v1/traces";

    @Option(names = "--otlp-endpoint", converter = Url.class, paramLabel = "URL",
            description = "OTLP receiver of the traces, e.g. http://otel-collector:4317 (grpc) or http://otel-collector:4318 "
                    + "(http/protobuf; " + HTTP_TRACES_PATH + " is added when the URL has no path); https:// for TLS. "
                    + "Default: none, traces off.")
    private URI endpoint;

    @Option(names = "--otlp-protocol", converter = ProtocolConverter.class, paramLabel = "grpc|http/protobuf", defaultValue = "grpc",
            description = "OTLP transport. Default: ${DEFAULT-VALUE}.")
    private Protocol protocol;

    @Option(names = "--otlp-sampling-ratio", paramLabel = "RATIO", defaultValue = "1.0",
            description = "Share of connections (traces) exported, 0 to 1, decided once per trace from its id; "
                    + "drops and denying policy verdicts are always exported. Default: ${DEFAULT-VALUE}.")
    private double samplingRatio;

    @Option(names = "--otlp-queue", paramLabel = "N", defaultValue = "16384",
            description = "Spans waiting for export; beyond it spans are dropped and counted in "
                    + "flows_traces_spans_dropped_total{reason=\"queue_full\"}. Default: ${DEFAULT-VALUE}.")
    private int queueSize;

    @Option(names = "--otlp-batch-size", paramLabel = "N", defaultValue = "512",
            description = "Most spans per export request (at most --otlp-queue). Default: ${DEFAULT-VALUE}.")
    private int batchSize;

    @Option(names = "--otlp-exports-in-flight", paramLabel = "N", defaultValue = "4",
            description = "Export requests sent and not yet answered at once; more keep a busy relay's spans moving while "
                    + "each request waits for the receiver. Default: ${DEFAULT-VALUE}.")
    private int exportsInFlight;

    @Option(names = "--otlp-schedule-delay", converter = Converters.DurationConverter.class, paramLabel = "DURATION", defaultValue = "1s",
            description = "Longest a span waits for its batch to fill before it is sent. Default: ${DEFAULT-VALUE}.")
    private Duration scheduleDelay;

    @Option(names = "--otlp-timeout", converter = Converters.DurationConverter.class, paramLabel = "DURATION", defaultValue = "10s",
            description = "Deadline of one export request; a batch that misses it is counted as failed. Default: ${DEFAULT-VALUE}.")
    private Duration timeout;

    @Option(names = "--otlp-header", converter = Header.class, paramLabel = "KEY=VALUE",
            description = "A header sent with every export request (e.g. an API key); repeatable.")
    private List<Map.Entry<String, String>> headers = List.of();

    @Option(names = "--otlp-connection-idle", converter = Converters.DurationConverter.class, paramLabel = "DURATION", defaultValue = "1m",
            description = "A connection without flows for this long is forgotten: its next flow starts a new trace. "
                    + "A TCP SYN after FIN or RST starts a new trace at once. Default: ${DEFAULT-VALUE}.")
    private Duration connectionIdle;

    @Option(names = "--otlp-connections", paramLabel = "N", defaultValue = "65536",
            description = "Connections whose trace is remembered; beyond it the least recently seen is forgotten (its later "
                    + "flows start a new trace) and counted in flows_traces_connections_evicted_total. Default: ${DEFAULT-VALUE}.")
    private int connections;

    /** Checks ranges and flags that go together; changes nothing. The message names the flag, the bad value and what is valid. */
    public void validate() {
        if (!(samplingRatio >= 0 && samplingRatio <= 1)) {
            throw new ConfigException("--otlp-sampling-ratio " + samplingRatio + ": must be between 0 and 1");
        }
        if (queueSize < 1) {
            throw new ConfigException("--otlp-queue " + queueSize + ": must be at least 1");
        }
        if (batchSize < 1 || batchSize > queueSize) {
            throw new ConfigException("--otlp-batch-size " + batchSize + ": must be between 1 and --otlp-queue (" + queueSize + ")");
        }
        if (exportsInFlight < 1 || exportsInFlight > 64) {
            throw new ConfigException("--otlp-exports-in-flight " + exportsInFlight + ": must be between 1 and 64");
        }
        positive("--otlp-schedule-delay", scheduleDelay);
        positive("--otlp-timeout", timeout);
        positive("--otlp-connection-idle", connectionIdle);
        if (connections < 1) {
            throw new ConfigException("--otlp-connections " + connections + ": must be at least 1");
        }
    }

    private static void positive(String flag, Duration d) {
        if (d.isZero()) {
            throw new ConfigException(flag + " " + Durations.format(d) + ": must be more than 0");
        }
    }

    /** Where spans go (with /v1/traces added for http/protobuf when the URL has no path), or null when traces are off. */
    public URI endpoint() {
        if (endpoint != null && protocol == Protocol.HTTP_PROTOBUF
                && (endpoint.getPath() == null || endpoint.getPath().isEmpty() || endpoint.getPath().equals("/"))) {
            return endpoint.resolve(HTTP_TRACES_PATH);
        }
        return endpoint;
    }
    public Protocol protocol() { return protocol; }
    public double samplingRatio() { return samplingRatio; }
    public int queueSize() { return queueSize; }
    public int batchSize() { return batchSize; }
    public int exportsInFlight() { return exportsInFlight; }
    public Duration scheduleDelay() { return scheduleDelay; }
    public Duration timeout() { return timeout; }
    /** --otlp-header as a map; a key given twice keeps its last value. */
    public Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        headers.forEach(e -> h.put(e.getKey(), e.getValue()));
        return Collections.unmodifiableMap(h);
    }
    public Duration connectionIdle() { return connectionIdle; }
    public int connections() { return connections; }
}
