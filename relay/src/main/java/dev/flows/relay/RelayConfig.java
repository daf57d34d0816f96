package dev.flows.relay;

import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.Converters;
import dev.flows.observer.config.Durations;
import dev.flows.observer.config.HostPort;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Every setting of the relay, declared once: flag, type, default, validation and documentation.
 * picocli converts each value to its type at parse; {@link #validate()} checks ranges and flags that
 * go together and changes nothing. At
 * least one way to find collectors is required; several may be combined (the union is used).
 */
public final class RelayConfig {
    @picocli.CommandLine.Mixin
    private final RelayTls tls = new RelayTls();

    @Option(names = "--listen", converter = Converters.Listen.class, paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:4245",
            description = "Address of the Observer and health gRPC services (default: ${DEFAULT-VALUE}).")
    private InetSocketAddress listen;

    @Option(names = "--collectors", paramLabel = "[NAME=]HOST:PORT", split = ",",
            description = "Static list of collectors; an optional node name is used until the collector tells its own.")
    private List<String> collectors = List.of();

    @Option(names = "--collectors-dns", converter = Converters.Peer.class, paramLabel = "NAME:PORT",
            description = "A DNS name with one address per collector (a headless Service), resolved again every --dns-refresh.")
    private InetSocketAddress collectorsDns;

    @Option(names = "--dns-refresh", converter = Converters.DurationConverter.class, paramLabel = "DURATION", defaultValue = "30s",
            description = "How often --collectors-dns is resolved again. Default: ${DEFAULT-VALUE}.")
    private Duration dnsRefresh;

    @Option(names = "--peer-service", paramLabel = "HOST:PORT",
            description = "A collector whose peer.Peer/Notify lists every node's collector (followed as nodes come and go).")
    // A gRPC target as given (so "[::1]:4244" stays one); validate() checks its form.
    private String peerService;

    @Option(names = "--sort-window", converter = Converters.DurationConverter.class, paramLabel = "DURATION", defaultValue = "1s",
            description = "How long a flow may wait for older flows of other nodes before it is sent. Default: ${DEFAULT-VALUE}.")
    private Duration sortWindow;

    /*
     * 50ms: a filtered follow (--pod x) is quiet on every node but one, so this is the latency such a
     * client sees; 50ms keeps packet-to-CLI under 100ms with room for the path (the collector's
     * reader polls every 10ms), and a flow still has five times that poll to reach the relay in order.
     */
    @Option(names = "--quiet-grace", converter = Converters.DurationConverter.class, paramLabel = "DURATION", defaultValue = "50ms",
            description = "How old a live flow must be to be sent without waiting for a node that has nothing pending "
                    + "(a quiet node then delays the others by this, not the whole --sort-window); a node whose flows "
                    + "reach the relay later than this has them sent out of order, never dropped. At most --sort-window. "
                    + "Default: ${DEFAULT-VALUE}.")
    private Duration quietGrace;

    @Option(names = "--export-queue", paramLabel = "N", defaultValue = "65536",
            description = "Responses waiting per exporter; beyond it that exporter drops and counts. Default: ${DEFAULT-VALUE}.")
    private int exportQueue;

    /*
     * 65536 is about a quarter of a second at 250 k flows/s: enough to ride out a client's GC pause
     * or a collector's late batch, which at 16384 (65 ms) cost about 1 % of the flows in the
     * benchmark. A full queue holds about 30 MB (responses average about 450 bytes).
     */
    @Option(names = "--client-queue", paramLabel = "N", defaultValue = "65536",
            description = "Live flows held per client (about 450 bytes each); beyond, flows are dropped and the client told (lost_events). Default: ${DEFAULT-VALUE}.")
    private int clientQueue;

    @Option(names = "--max-streams", paramLabel = "N", defaultValue = "64",
            description = "Concurrent GetFlows streams served; more are refused (RESOURCE_EXHAUSTED). Default: ${DEFAULT-VALUE}.")
    private int maxStreams;

    @Option(names = "--health-interval", converter = Converters.DurationConverter.class, paramLabel = "DURATION", defaultValue = "1s",
            description = "How often a healthy collector is checked (grpc.health.v1). Default: ${DEFAULT-VALUE}.")
    private Duration healthInterval;

    @Option(names = "--retry-max", converter = Converters.DurationConverter.class, paramLabel = "DURATION", defaultValue = "1m",
            description = "Longest wait between attempts to reach a collector that is down (from 1s, doubling). Default: ${DEFAULT-VALUE}.")
    private Duration retryMax;

    /** Checks ranges and flags that go together; changes nothing. The message names the flag, the bad value and what is valid. */
    public void validate() {
        for (String c : collectors) {
            HostPort.unresolved("--collectors", address(c));
        }
        if (peerService != null) {
            HostPort.unresolved("--peer-service", peerService);
        }
        if (collectors.isEmpty() && collectorsDns == null && peerService == null) {
            throw new ConfigException("no collectors: give --collectors, --collectors-dns or --peer-service");
        }
        positive("--dns-refresh", dnsRefresh);
        if (quietGrace.compareTo(sortWindow) > 0) {
            throw new ConfigException("--quiet-grace " + Durations.format(quietGrace) + ": must not exceed --sort-window "
                    + Durations.format(sortWindow));
        }
        positive("--health-interval", healthInterval);
        if (retryMax.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException("--retry-max " + Durations.format(retryMax) + ": must be at least 1s");
        }
        if (exportQueue < 1) {
            throw new ConfigException("--export-queue " + exportQueue + ": must be at least 1");
        }
        if (clientQueue < 1) {
            throw new ConfigException("--client-queue " + clientQueue + ": must be at least 1");
        }
        if (maxStreams < 1) {
            throw new ConfigException("--max-streams " + maxStreams + ": must be at least 1");
        }
    }

    private static void positive(String flag, Duration d) {
        if (d.isZero()) {
            throw new ConfigException(flag + " " + Durations.format(d) + ": must be more than 0");
        }
    }

    /** The HOST:PORT of a --collectors entry, [NAME=]HOST:PORT. */
    private static String address(String entry) {
        return entry.substring(entry.indexOf('=') + 1).strip();
    }

    public InetSocketAddress listen() { return listen; }
    public RelayTls tls() { return tls; }
    /** Static collectors: address → node name (blank when not given); read from --collectors as asked, not stored. */
    public Map<String, String> collectors() {
        Map<String, String> byAddress = new LinkedHashMap<>();
        for (String c : collectors) {
            int eq = c.indexOf('=');
            byAddress.put(address(c), eq > 0 ? c.substring(0, eq).strip() : "");
        }
        return byAddress;
    }
    /** The DNS name and port of the collectors, or null. */
    public InetSocketAddress collectorsDns() { return collectorsDns; }
    public Duration dnsRefresh() { return dnsRefresh; }
    /** The collector to ask for peers, or null. */
    public String peerService() { return peerService; }
    public Duration sortWindow() { return sortWindow; }
    public Duration quietGrace() { return quietGrace; }
    public int clientQueue() { return clientQueue; }
    public int exportQueue() { return exportQueue; }
    public int maxStreams() { return maxStreams; }
    public Duration healthInterval() { return healthInterval; }
    public Duration retryInitial() { return Duration.ofSeconds(1); }
    public Duration retryMax() { return retryMax; }
}
