package dev.flows.relay;

import dev.flows.observer.config.ConfigException;
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
 * Parsed once at start by picocli and checked by {@link #validate()}; immutable afterwards. At
 * least one way to find collectors is required; several may be combined (the union is used).
 */
public final class RelayConfig {
    @picocli.CommandLine.Mixin
    private final RelayTls tls = new RelayTls();

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:4245",
            description = "Address of the Observer and health gRPC services (default: ${DEFAULT-VALUE}).")
    private String listen;

    @Option(names = "--collectors", paramLabel = "[NAME=]HOST:PORT", split = ",",
            description = "Static list of collectors; an optional node name is used until the collector tells its own.")
    private List<String> collectors = List.of();

    @Option(names = "--collectors-dns", paramLabel = "NAME:PORT",
            description = "A DNS name with one address per collector (a headless Service), resolved again every --dns-refresh.")
    private String collectorsDns;

    @Option(names = "--dns-refresh", paramLabel = "DURATION", defaultValue = "30s",
            description = "How often --collectors-dns is resolved again. Default: ${DEFAULT-VALUE}.")
    private String dnsRefresh;

    @Option(names = "--peer-service", paramLabel = "HOST:PORT",
            description = "A collector whose peer.Peer/Notify lists every node's collector (followed as nodes come and go).")
    private String peerService;

    @Option(names = "--sort-window", paramLabel = "DURATION", defaultValue = "1s",
            description = "How long a flow may wait for older flows of other nodes before it is sent. Default: ${DEFAULT-VALUE}.")
    private String sortWindow;

    /*
     * 50ms: a filtered follow (--pod x) is quiet on every node but one, so this is the latency such a
     * client sees; 50ms keeps packet-to-CLI under 100ms with room for the path (the collector's
     * reader polls every 10ms), and a flow still has five times that poll to reach the relay in order.
     */
    @Option(names = "--quiet-grace", paramLabel = "DURATION", defaultValue = "50ms",
            description = "How old a live flow must be to be sent without waiting for a node that has nothing pending "
                    + "(a quiet node then delays the others by this, not the whole --sort-window); a node whose flows "
                    + "reach the relay later than this has them sent out of order, never dropped. At most --sort-window. "
                    + "Default: ${DEFAULT-VALUE}.")
    private String quietGrace;

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

    @Option(names = "--health-interval", paramLabel = "DURATION", defaultValue = "1s",
            description = "How often a healthy collector is checked (grpc.health.v1). Default: ${DEFAULT-VALUE}.")
    private String healthInterval;

    @Option(names = "--retry-max", paramLabel = "DURATION", defaultValue = "1m",
            description = "Longest wait between attempts to reach a collector that is down (from 1s, doubling). Default: ${DEFAULT-VALUE}.")
    private String retryMax;

    private InetSocketAddress listenParsed;
    private Map<String, String> collectorsParsed;
    private InetSocketAddress dnsParsed;
    private Duration dnsRefreshParsed;
    private Duration sortWindowParsed;
    private Duration quietGraceParsed;
    private Duration healthIntervalParsed;
    private Duration retryMaxParsed;

    /** Checks every value once; the message names the flag, the bad value and what is valid. */
    public void validate() {
        listenParsed = HostPort.parse("--listen", listen);
        collectorsParsed = new LinkedHashMap<>();
        for (String c : collectors) {
            int eq = c.indexOf('=');
            String address = c.substring(eq + 1).strip();
            HostPort.unresolved("--collectors", address);
            collectorsParsed.put(address, eq > 0 ? c.substring(0, eq).strip() : "");
        }
        if (collectorsDns != null) {
            dnsParsed = HostPort.unresolved("--collectors-dns", collectorsDns);
        }
        if (peerService != null) {
            HostPort.unresolved("--peer-service", peerService);
        }
        if (collectorsParsed.isEmpty() && dnsParsed == null && peerService == null) {
            throw new ConfigException("no collectors: give --collectors, --collectors-dns or --peer-service");
        }
        dnsRefreshParsed = positive("--dns-refresh", dnsRefresh);
        sortWindowParsed = Durations.parse("--sort-window", sortWindow);
        quietGraceParsed = Durations.parse("--quiet-grace", quietGrace);
        if (quietGraceParsed.compareTo(sortWindowParsed) > 0) {
            throw new ConfigException("--quiet-grace " + quietGrace + ": must not exceed --sort-window " + sortWindow);
        }
        healthIntervalParsed = positive("--health-interval", healthInterval);
        retryMaxParsed = Durations.parse("--retry-max", retryMax);
        if (retryMaxParsed.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException("--retry-max " + retryMax + ": must be at least 1s");
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

    private static Duration positive(String flag, String value) {
        Duration d = Durations.parse(flag, value);
        if (d.isZero()) {
            throw new ConfigException(flag + " " + value + ": must be more than 0");
        }
        return d;
    }

    public InetSocketAddress listen() { return listenParsed; }
    public RelayTls tls() { return tls; }
    /** Static collectors: address → node name (blank when not given). */
    public Map<String, String> collectors() { return collectorsParsed; }
    /** The DNS name and port of the collectors, or null. */
    public InetSocketAddress collectorsDns() { return dnsParsed; }
    public Duration dnsRefresh() { return dnsRefreshParsed; }
    /** The collector to ask for peers, or null. */
    public String peerService() { return peerService; }
    public Duration sortWindow() { return sortWindowParsed; }
    public Duration quietGrace() { return quietGraceParsed; }
    public int clientQueue() { return clientQueue; }
    public int exportQueue() { return exportQueue; }
    public int maxStreams() { return maxStreams; }
    public Duration healthInterval() { return healthIntervalParsed; }
    public Duration retryInitial() { return Duration.ofSeconds(1); }
    public Duration retryMax() { return retryMaxParsed; }
}
