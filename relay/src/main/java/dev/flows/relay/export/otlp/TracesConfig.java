package dev.flows.relay.export.otlp;

import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The relay's OTLP trace settings, declared once (a picocli {@code @Mixin}): where spans go and
 * how, how many traces are kept, how the batch span processor batches, and how long a connection
 * may be silent before its next flow starts a new trace. Checked by {@link #validate()};
 * immutable afterwards. Without {@code --otlp-endpoint} the exporter is off and costs nothing.
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

    /** OTLP/HTTP's path for traces, added when the endpoint has none (as the OTLP exporter spec does). */
    static final String HTTP_TRACES_PATH = "/v1/traces";

    @Option(names = "--otlp-endpoint", paramLabel = "URL",
            description = "OTLP receiver of the traces, e.g. http://otel-collector:4317 (grpc) or http://otel-collector:4318 "
                    + "(http/protobuf; " + HTTP_TRACES_PATH + " is added when the URL has no path); https:// for TLS. "
                    + "Default: none, traces off.")
    private String endpoint;

    @Option(names = "--otlp-protocol", paramLabel = "grpc|http/protobuf", defaultValue = "grpc",
            description = "OTLP transport. Default: ${DEFAULT-VALUE}.")
    private String protocol;

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

    @Option(names = "--otlp-schedule-delay", paramLabel = "DURATION", defaultValue = "1s",
            description = "Longest a span waits for its batch to fill before it is sent. Default: ${DEFAULT-VALUE}.")
    private String scheduleDelay;

    @Option(names = "--otlp-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "Deadline of one export request; a batch that misses it is counted as failed. Default: ${DEFAULT-VALUE}.")
    private String timeout;

    @Option(names = "--otlp-header", paramLabel = "KEY=VALUE",
            description = "A header sent with every export request (e.g. an API key); repeatable.")
    private List<String> headers = new ArrayList<>();

    @Option(names = "--otlp-connection-idle", paramLabel = "DURATION", defaultValue = "1m",
            description = "A connection without flows for this long is forgotten: its next flow starts a new trace. "
                    + "A TCP SYN after FIN or RST starts a new trace at once. Default: ${DEFAULT-VALUE}.")
    private String connectionIdle;

    @Option(names = "--otlp-connections", paramLabel = "N", defaultValue = "65536",
            description = "Connections whose trace is remembered; beyond it the least recently seen is forgotten (its later "
                    + "flows start a new trace) and counted in flows_traces_connections_evicted_total. Default: ${DEFAULT-VALUE}.")
    private int connections;

    private URI endpointParsed;
    private Protocol protocolParsed;
    private Duration scheduleDelayParsed;
    private Duration timeoutParsed;
    private Duration connectionIdleParsed;
    private Map<String, String> headersParsed;

    /** Checks every value once; the message names the flag, the bad value and what is valid. */
    public void validate() {
        protocolParsed = null;
        for (Protocol p : Protocol.values()) {
            if (p.option().equals(protocol)) {
                protocolParsed = p;
            }
        }
        if (protocolParsed == null) {
            throw new ConfigException("--otlp-protocol " + protocol + ": must be grpc or http/protobuf");
        }
        endpointParsed = endpoint == null ? null : endpoint(endpoint, protocolParsed);
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
        scheduleDelayParsed = positive("--otlp-schedule-delay", scheduleDelay);
        timeoutParsed = positive("--otlp-timeout", timeout);
        connectionIdleParsed = positive("--otlp-connection-idle", connectionIdle);
        if (connections < 1) {
            throw new ConfigException("--otlp-connections " + connections + ": must be at least 1");
        }
        Map<String, String> h = new LinkedHashMap<>();
        for (String kv : headers) {
            int eq = kv.indexOf('=');
            if (eq < 1) {
                throw new ConfigException("--otlp-header " + kv + ": must be KEY=VALUE");
            }
            h.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
        }
        headersParsed = Collections.unmodifiableMap(h);
    }

    private static URI endpoint(String value, Protocol protocol) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new ConfigException("--otlp-endpoint " + value + ": not a URL (" + e.getReason() + "); e.g. http://otel-collector:4317");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new ConfigException("--otlp-endpoint " + value + ": must be http://HOST:PORT or https://HOST:PORT");
        }
        if (protocol == Protocol.HTTP_PROTOBUF && (uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/"))) {
            return uri.resolve(HTTP_TRACES_PATH);
        }
        return uri;
    }

    private static Duration positive(String flag, String value) {
        Duration d = Durations.parse(flag, value);
        if (d.isZero()) {
            throw new ConfigException(flag + " " + value + ": must be more than 0");
        }
        return d;
    }

    /** Where spans go (with /v1/traces for http/protobuf), or null when traces are off. */
    public URI endpoint() { return endpointParsed; }
    public Protocol protocol() { return protocolParsed; }
    public double samplingRatio() { return samplingRatio; }
    public int queueSize() { return queueSize; }
    public int batchSize() { return batchSize; }
    public int exportsInFlight() { return exportsInFlight; }
    public Duration scheduleDelay() { return scheduleDelayParsed; }
    public Duration timeout() { return timeoutParsed; }
    public Map<String, String> headers() { return headersParsed; }
    public Duration connectionIdle() { return connectionIdleParsed; }
    public int connections() { return connections; }
}
