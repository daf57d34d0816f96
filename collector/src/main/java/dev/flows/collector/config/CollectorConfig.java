package dev.flows.collector.config;

import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.Converters;
import dev.flows.observer.config.Durations;
import dev.flows.observer.config.HostPort;
import dev.flows.observer.config.LowerCaseEnum;
import dev.flows.observer.net.Ipv4Prefix;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Every setting of the collector, declared once: flag, type, default, validation and
 * documentation. picocli converts each value to its type at parse; {@link #validate()} checks
 * ranges and flags that go together, and changes nothing: the config is fixed from parse on.
 */
public final class CollectorConfig {
    @picocli.CommandLine.Mixin
    private final CollectorTls tls = new CollectorTls();

    enum Source { API, FILES }
    enum Aggregation { CONNECTION, NONE }
    enum Mode { DATAPATH, OBSERVE }
    enum LbAlgorithm { RANDOM, MAGLEV }

    static final class SourceConverter extends LowerCaseEnum<Source> { SourceConverter() { super(Source.class); } }
    static final class AggregationConverter extends LowerCaseEnum<Aggregation> { AggregationConverter() { super(Aggregation.class); } }
    static final class ModeConverter extends LowerCaseEnum<Mode> { ModeConverter() { super(Mode.class); } }
    static final class LbAlgorithmConverter extends LowerCaseEnum<LbAlgorithm> { LbAlgorithmConverter() { super(LbAlgorithm.class); } }

    /** --node-network: a prefix, or "auto" (null) for this node's InternalIP/24. */
    static final class PrefixOrAuto implements picocli.CommandLine.ITypeConverter<Ipv4Prefix> {
        @Override
        public Ipv4Prefix convert(String value) {
            return value.equals("auto") ? null : new Converters.Prefix().convert(value);
        }
    }

    @Option(names = "--node-name", description = "Name of this node (as in the cluster state). Default: $NODE_NAME, else the host name.")
    private String nodeName;

    @Option(names = "--cluster-source", converter = SourceConverter.class, paramLabel = "SOURCE", defaultValue = "files",
            description = "Where the cluster state (Nodes, Namespaces, Pods, Services, EndpointSlices, NetworkPolicies) comes from; "
                    + "it enriches flows and, in datapath mode, programs this node's services and network policies. "
                    + "api: the Kubernetes API server (list, then watch; --kubeconfig, else $KUBECONFIG, ~/.kube/config or the pod's "
                    + "service account); the collector starts once every kind is listed, and keeps its last state while the API "
                    + "server is away. files: --cluster-state (none: no cluster state). Default: ${DEFAULT-VALUE}.")
    private Source clusterSource;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "With --cluster-source=api: the kubeconfig to reach the API server with. Default: in a pod, its service account.")
    private Path kubeconfig;

    @Option(names = "--cluster-sync-timeout", converter = Converters.DurationConverter.class, paramLabel = "DURATION", defaultValue = "2m",
            description = "With --cluster-source=api: how long to wait at start for the first complete list before giving up "
                    + "(exit 1; the pinned maps keep forwarding meanwhile). Default: ${DEFAULT-VALUE}.")
    private Duration clusterSyncTimeout;

    @Option(names = "--cluster-state", paramLabel = "PATH",
            description = "With --cluster-source=files: a Kubernetes YAML file or folder of the cluster state. "
                    + "Watched: a change is applied as it is saved; a file that does not load is reported and the previous state kept.")
    private Path clusterState;

    @Option(names = "--cluster-state-poll", converter = Converters.DurationConverter.class, paramLabel = "DURATION", defaultValue = "2s",
            description = "How often --cluster-state is checked for changes. Default: ${DEFAULT-VALUE}.")
    private Duration clusterStatePoll;

    @Option(names = "--listen", converter = Converters.Listen.class, paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:4244",
            description = "Address of the Observer, Peer and health gRPC services (default: ${DEFAULT-VALUE}).")
    private InetSocketAddress listen;

    @Option(names = "--pod-interfaces", paramLabel = "GLOB", defaultValue = "lxc*",
            description = "Host-side pod veths to observe (from-pod and to-pod); default: ${DEFAULT-VALUE}.")
    private String podInterfaces;

    @Option(names = "--uplink", paramLabel = "IFNAME", defaultValue = "eth0",
            description = "The node's uplink (from-network and to-network); empty for none. Default: ${DEFAULT-VALUE}.")
    private String uplink;

    @Option(names = "--pin-dir", paramLabel = "DIR",
            description = "Where maps are pinned so they survive restarts. Default: /sys/fs/bpf/flows/<node-name>.")
    private Path pinDir;

    @Option(names = "--ring-size", paramLabel = "BYTES", defaultValue = "8388608",
            description = "Kernel ring buffer size: a power of two, at least 4096. Default: ${DEFAULT-VALUE}.")
    private long ringSize;

    @Option(names = "--aggregation", converter = AggregationConverter.class, paramLabel = "LEVEL", defaultValue = "connection",
            description = "connection (first packet, new TCP flags, then once per interval) or none (every packet). Default: ${DEFAULT-VALUE}.")
    private Aggregation aggregation;

    @Option(names = "--aggregation-interval", converter = Converters.DurationConverter.class, paramLabel = "DURATION", defaultValue = "5s",
            description = "At most one report per connection and observation point per interval (e.g. 500ms, 5s). Default: ${DEFAULT-VALUE}.")
    private Duration aggregationInterval;

    @Option(names = "--buffer-capacity", paramLabel = "N", defaultValue = "65535",
            description = "Recent flows kept for GetFlows: 2^n-1. Default: ${DEFAULT-VALUE}.")
    private int bufferCapacity;

    @Option(names = "--queue-capacity", paramLabel = "N", defaultValue = "65536",
            description = "Raw events waiting for decoding (a power of two); when full, events are dropped and counted. Default: ${DEFAULT-VALUE}.")
    private int queueCapacity;

    @Option(names = "--interface-rescan", converter = Converters.DurationConverter.class, paramLabel = "DURATION", defaultValue = "1s",
            description = "How often new pod interfaces are looked for. Default: ${DEFAULT-VALUE}.")
    private Duration interfaceRescan;

    @Option(names = "--metrics-listen", converter = Converters.ListenOrOff.class, paramLabel = "HOST:PORT|off", defaultValue = "0.0.0.0:9966",
            description = "Address of the collector's own Prometheus /metrics (events read and lost, ring fill, queues), or off. Default: ${DEFAULT-VALUE}.")
    private InetSocketAddress metricsListen;

    @Option(names = "--mode", converter = ModeConverter.class, paramLabel = "MODE", defaultValue = "datapath",
            description = "datapath: the programs translate services (ClusterIP, NodePort) and masquerade traffic leaving the cluster, "
                    + "reporting each decision; observe: they only observe, for nodes whose datapath belongs to another CNI. Default: ${DEFAULT-VALUE}.")
    private Mode mode;

    @Option(names = "--policy-audit-mode",
            description = "Evaluate and report every NetworkPolicy, enforce none: what one would deny is forwarded with verdict AUDIT "
                    + "(one policy alone: its annotation flows.dev/audit: \"true\"). Datapath mode only.")
    private boolean policyAuditMode;

    @Option(names = "--lb-algorithm", converter = LbAlgorithmConverter.class, paramLabel = "ALG", defaultValue = "random",
            description = "How a new connection to a service picks its backend: random, or maglev (consistent hashing of the "
                    + "connection's addresses and ports: every node picks the same backend). Default: ${DEFAULT-VALUE}.")
    private LbAlgorithm lbAlgorithm;

    @Option(names = "--cluster-cidr", converter = Converters.Prefix.class, paramLabel = "CIDR", defaultValue = "10.244.0.0/16",
            description = "The pod range of the whole cluster: pods' traffic to outside it and the node network is masqueraded. Default: ${DEFAULT-VALUE}.")
    private Ipv4Prefix clusterCidr;

    @Option(names = "--node-network", converter = PrefixOrAuto.class, paramLabel = "CIDR|auto", defaultValue = "auto",
            description = "The network of the nodes' own addresses (not masqueraded); auto = this node's InternalIP/24. Default: ${DEFAULT-VALUE}.")
    private Ipv4Prefix nodeNetwork;

    @Option(names = "--conntrack-sweep", converter = Converters.DurationConverter.class, paramLabel = "DURATION", defaultValue = "30s",
            description = "How often expired connection and NAT entries are removed from the pinned maps. Default: ${DEFAULT-VALUE}.")
    private Duration conntrackSweep;

    /** Checks ranges and flags that go together; changes nothing. The message names the flag, the bad value and what is valid. */
    public void validate() {
        tls.validate();
        if (policyAuditMode && mode != Mode.DATAPATH) {
            throw new ConfigException("--policy-audit-mode: needs --mode datapath (in observe mode no policy is evaluated)");
        }
        if (metricsListen != null && metricsListen.equals(listen)) {
            throw new ConfigException("--metrics-listen " + HostPort.format(metricsListen)
                    + ": already taken by --listen");
        }
        if (ringSize < 4096 || Long.bitCount(ringSize) != 1 || ringSize > (1L << 30)) {
            throw new ConfigException("--ring-size " + ringSize + ": must be a power of two between 4096 and 1073741824");
        }
        if (bufferCapacity < 1 || Integer.bitCount(bufferCapacity + 1) != 1) {
            throw new ConfigException("--buffer-capacity " + bufferCapacity + ": must be 2^n-1, e.g. 4095, 65535");
        }
        if (queueCapacity < 16 || Integer.bitCount(queueCapacity) != 1) {
            throw new ConfigException("--queue-capacity " + queueCapacity + ": must be a power of two, at least 16");
        }
        if (clusterStatePoll.isZero()) {
            throw new ConfigException("--cluster-state-poll " + Durations.format(clusterStatePoll) + ": must be more than 0, e.g. 2s");
        }
        validateClusterSource();
    }

    private void validateClusterSource() {
        boolean api = clusterSource == Source.API;
        if (api && clusterState != null) {
            throw new ConfigException("--cluster-state " + clusterState + ": read only with --cluster-source=files, not api");
        }
        if (!api && kubeconfig != null) {
            throw new ConfigException("--kubeconfig " + kubeconfig + ": read only with --cluster-source=api, not files");
        }
        if (kubeconfig != null && !java.nio.file.Files.isReadable(kubeconfig)) {
            throw new ConfigException("--kubeconfig " + kubeconfig + ": no such readable file");
        }
        if (clusterSyncTimeout.isZero()) {
            throw new ConfigException("--cluster-sync-timeout " + Durations.format(clusterSyncTimeout) + ": must be more than 0, e.g. 2m");
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    /** --node-name, else $NODE_NAME, else the host name: derived here, not stored, so the config stays as parsed. */
    public String nodeName() {
        return nodeName != null && !nodeName.isBlank() ? nodeName : System.getenv().getOrDefault("NODE_NAME", hostName());
    }
    public CollectorTls tls() { return tls; }
    /** True: the cluster state comes from the API server; false: from --cluster-state (or there is none). */
    public boolean clusterFromApi() { return clusterSource == Source.API; }
    /** The kubeconfig for the API source, or null for fabric8's own search (in a pod: its service account). */
    public Path kubeconfig() { return kubeconfig; }
    public Duration clusterSyncTimeout() { return clusterSyncTimeout; }
    public Path clusterState() { return clusterState; }
    public InetSocketAddress listen() { return listen; }
    /** Where the collector's /metrics listens, or null when off. */
    public InetSocketAddress metricsListen() { return metricsListen; }
    public String podInterfaces() { return podInterfaces; }
    public String uplink() { return uplink; }
    /** --pin-dir, else /sys/fs/bpf/flows/NODE: derived from {@link #nodeName()} like it. */
    public Path pinDir() { return pinDir != null ? pinDir : Path.of("/sys/fs/bpf/flows", nodeName()); }
    public long ringSize() { return ringSize; }
    public boolean aggregateConnections() { return aggregation == Aggregation.CONNECTION; }
    public Duration aggregationInterval() { return aggregationInterval; }
    public int bufferCapacity() { return bufferCapacity; }
    public int queueCapacity() { return queueCapacity; }
    public Duration interfaceRescan() { return interfaceRescan; }
    /** True: translate and masquerade (datapath mode); false: observe only. */
    public boolean datapathMode() { return mode == Mode.DATAPATH; }
    public boolean maglev() { return lbAlgorithm == LbAlgorithm.MAGLEV; }
    public boolean policyAuditMode() { return policyAuditMode; }
    public Ipv4Prefix clusterCidr() { return clusterCidr; }
    /** The node network, or null for "this node's InternalIP/24". */
    public Ipv4Prefix nodeNetwork() { return nodeNetwork; }
    public Duration conntrackSweep() { return conntrackSweep; }
    public Duration clusterStatePoll() { return clusterStatePoll; }
}
