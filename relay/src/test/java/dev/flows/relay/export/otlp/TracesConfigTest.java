package dev.flows.relay.export.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.Options;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TracesConfigTest {
    static TracesConfig config(String... args) {
        TracesConfig c = Options.parse(new TracesConfig(), args);
        c.validate();
        return c;
    }

    static String error(String... args) {
        return assertThrows(ConfigException.class, () -> config(args)).getMessage();
    }

    @Test
    void offWithoutAnEndpointAndDocumentedDefaults() {
        TracesConfig c = config();
        assertNull(c.endpoint());
        assertEquals(TracesConfig.Protocol.GRPC, c.protocol());
        assertEquals(1.0, c.samplingRatio());
        assertEquals(16384, c.queueSize());
        assertEquals(512, c.batchSize());
        assertEquals(4, c.exportsInFlight());
        assertEquals(Duration.ofSeconds(1), c.scheduleDelay());
        assertEquals(Duration.ofSeconds(10), c.timeout());
        assertEquals(Duration.ofMinutes(1), c.connectionIdle());
        assertEquals(65536, c.connections());
        assertEquals(Map.of(), c.headers());
    }

    @Test
    void httpProtobufGetsTheTracesPathWhenTheEndpointHasNone() {
        assertEquals("http://otel:4318/v1/traces", config("--otlp-endpoint", "http://otel:4318", "--otlp-protocol", "http/protobuf")
                .endpoint().toString());
        assertEquals("https://otel/custom", config("--otlp-endpoint", "https://otel/custom", "--otlp-protocol", "http/protobuf")
                .endpoint().toString());
        assertEquals("http://otel:4317", config("--otlp-endpoint", "http://otel:4317").endpoint().toString());
    }

    @Test
    void headersAreKeyValuePairs() {
        assertEquals(Map.of("x-api-key", "s3cret", "tenant", "a=b"),
                config("--otlp-header", "x-api-key=s3cret", "--otlp-header", "tenant=a=b").headers());
    }

    @Test
    void badValuesAreNamedWithWhatIsValid() {
        assertEquals("--otlp-protocol http: must be grpc or http/protobuf", error("--otlp-protocol", "http"));
        assertEquals("--otlp-endpoint otel:4317: must be http://HOST:PORT or https://HOST:PORT", error("--otlp-endpoint", "otel:4317"));
        assertEquals("--otlp-sampling-ratio 1.5: must be between 0 and 1", error("--otlp-sampling-ratio", "1.5"));
        assertEquals("--otlp-queue 0: must be at least 1", error("--otlp-queue", "0"));
        assertEquals("--otlp-batch-size 600: must be between 1 and --otlp-queue (512)",
                error("--otlp-queue", "512", "--otlp-batch-size", "600"));
        assertEquals("--otlp-connection-idle 0s: must be more than 0", error("--otlp-connection-idle", "0s"));
        assertEquals("--otlp-connections 0: must be at least 1", error("--otlp-connections", "0"));
        assertEquals("--otlp-exports-in-flight 0: must be between 1 and 64", error("--otlp-exports-in-flight", "0"));
        assertEquals("--otlp-header novalue: must be KEY=VALUE", error("--otlp-header", "novalue"));
        assertEquals("--otlp-timeout soon: must be a number with ms, s, m or h, e.g. 500ms, 5s", error("--otlp-timeout", "soon"));
        assertEquals("--otlp-schedule-delay 0s: must be more than 0", error("--otlp-schedule-delay", "0ms"));
        assertEquals("--otlp-endpoint http://otel:43 17: not a URL (Illegal character in authority); e.g. http://otel-collector:4317",
                error("--otlp-endpoint", "http://otel:43 17"));
    }
}
