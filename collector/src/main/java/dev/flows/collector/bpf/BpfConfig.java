package dev.flows.collector.bpf;

import dev.flows.observer.net.Ipv4Prefix;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * Load-time configuration of the BPF programs: the Java twin of {@code struct flows_config} in
 * bpf/include/config.h (keep in sync; EventLayoutBtfTest checks the layout against BTF). It is
 * written into each object's .rodata at offset 0 before load, so the verifier sees constants.
 *
 * @param aggregationIntervalNs at most one interval report per connection, point and interface
 * @param aggregationLevel {@link #AGG_NONE} reports every packet, {@link #AGG_CONNECTION} aggregates
 * @param wakeupBytes wake the reader once this much data is pending in the ring; 0 = every event
 * @param mode {@link #MODE_OBSERVE} only observes, {@link #MODE_DATAPATH} also translates services and NATs
 * @param network the addresses NodePort, SNAT and "leaves the cluster" are decided by
 * @param lifetimes how long an idle connection entry lives, by state
 */
public record BpfConfig(long aggregationIntervalNs, int aggregationLevel, int wakeupBytes, int mode,
        Network network, Lifetimes lifetimes) {
    /** enum flows_aggregation_level AGG_NONE */
    public static final int AGG_NONE = 0;
    /** enum flows_aggregation_level AGG_CONNECTION */
    public static final int AGG_CONNECTION = 1;
    /** enum flows_mode MODE_OBSERVE */
    public static final int MODE_OBSERVE = 0;
    /** enum flows_mode MODE_DATAPATH */
    public static final int MODE_DATAPATH = 1;

    /** sizeof(struct flows_config) and its field offsets, checked against BTF. */
    public static final int SIZE = 80;
    public static final int OFF_AGGREGATION_INTERVAL_NS = 0;
    public static final int OFF_AGGREGATION_LEVEL = 8;
    public static final int OFF_WAKEUP_BYTES = 12;
    public static final int OFF_MODE = 16;
    public static final int OFF_NODE_IP = 20;
    public static final int OFF_NODE_POD_CIDR = 24;
    public static final int OFF_NODE_POD_MASK = 28;
    public static final int OFF_CLUSTER_CIDR = 32;
    public static final int OFF_CLUSTER_MASK = 36;
    public static final int OFF_NODE_NET_CIDR = 40;
    public static final int OFF_NODE_NET_MASK = 44;
    public static final int OFF_CT_SYN_NS = 48;
    public static final int OFF_CT_TCP_NS = 56;
    public static final int OFF_CT_OTHER_NS = 64;
    public static final int OFF_CT_CLOSE_NS = 72;

    /** A range that is not configured: the datapath reads a prefix length of 0 as "none" and matches nothing with it. */
    public static final Ipv4Prefix NO_PREFIX = Ipv4Prefix.ALL;

    /**
     * Where this node sits.
     *
     * @param nodeIp this node's address (big-endian int; 0 = none: no NodePort, no SNAT)
     * @param nodePods the pod CIDR of this node
     * @param cluster the pod CIDR of the whole cluster
     * @param nodeNet the network of the nodes' own addresses
     */
    public record Network(int nodeIp, Ipv4Prefix nodePods, Ipv4Prefix cluster, Ipv4Prefix nodeNet) {
        public static final Network NONE = new Network(0, Ipv4Prefix.ALL, Ipv4Prefix.ALL, Ipv4Prefix.ALL); // not NO_PREFIX: Network may be initialised before BpfConfig
    }

    /** Connection entry lifetimes (conntrack.h), each a positive duration. */
    public record Lifetimes(Duration tcpSyn, Duration tcpEstablished, Duration other, Duration closing) {
        /** The defaults of config.h. */
        public static final Lifetimes DEFAULTS = new Lifetimes(Duration.ofSeconds(60), Duration.ofHours(6),
                Duration.ofSeconds(60), Duration.ofSeconds(10));

        public Lifetimes {
            for (Duration d : new Duration[] {tcpSyn, tcpEstablished, other, closing}) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("connection lifetimes must be positive, got " + d);
                }
            }
        }
    }

    /** The defaults of config.h. */
    public static final BpfConfig DEFAULTS = new BpfConfig(5_000_000_000L, AGG_CONNECTION, 65536, MODE_OBSERVE,
            Network.NONE, Lifetimes.DEFAULTS);

    public BpfConfig {
        if (aggregationIntervalNs <= 0) {
            throw new IllegalArgumentException("aggregation interval must be positive, got " + aggregationIntervalNs + " ns");
        }
        if (aggregationLevel != AGG_NONE && aggregationLevel != AGG_CONNECTION) {
            throw new IllegalArgumentException("aggregation level must be 0 (none) or 1 (connection), got " + aggregationLevel);
        }
        if (wakeupBytes < 0) {
            throw new IllegalArgumentException("wakeup bytes must be >= 0, got " + wakeupBytes);
        }
        if (mode != MODE_OBSERVE && mode != MODE_DATAPATH) {
            throw new IllegalArgumentException("mode must be 0 (observe) or 1 (datapath), got " + mode);
        }
    }

    public BpfConfig withAggregationIntervalNs(long ns) {
        return new BpfConfig(ns, aggregationLevel, wakeupBytes, mode, network, lifetimes);
    }

    public BpfConfig withAggregationLevel(int level) {
        return new BpfConfig(aggregationIntervalNs, level, wakeupBytes, mode, network, lifetimes);
    }

    public BpfConfig withWakeupBytes(int bytes) {
        return new BpfConfig(aggregationIntervalNs, aggregationLevel, bytes, mode, network, lifetimes);
    }

    public BpfConfig withMode(int m) {
        return new BpfConfig(aggregationIntervalNs, aggregationLevel, wakeupBytes, m, network, lifetimes);
    }

    public BpfConfig withNetwork(Network n) {
        return new BpfConfig(aggregationIntervalNs, aggregationLevel, wakeupBytes, mode, n, lifetimes);
    }

    public BpfConfig withLifetimes(Lifetimes l) {
        return new BpfConfig(aggregationIntervalNs, aggregationLevel, wakeupBytes, mode, network, l);
    }

    /** The struct's bytes: integers in host order, addresses in network order as in packets. */
    byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
        b.putLong(OFF_AGGREGATION_INTERVAL_NS, aggregationIntervalNs);
        b.putInt(OFF_AGGREGATION_LEVEL, aggregationLevel);
        b.putInt(OFF_WAKEUP_BYTES, wakeupBytes);
        b.putInt(OFF_MODE, mode);
        b.putLong(OFF_CT_SYN_NS, lifetimes.tcpSyn().toNanos());
        b.putLong(OFF_CT_TCP_NS, lifetimes.tcpEstablished().toNanos());
        b.putLong(OFF_CT_OTHER_NS, lifetimes.other().toNanos());
        b.putLong(OFF_CT_CLOSE_NS, lifetimes.closing().toNanos());
        b.order(ByteOrder.BIG_ENDIAN);
        b.putInt(OFF_NODE_IP, network.nodeIp());
        b.putInt(OFF_NODE_POD_CIDR, network.nodePods().addr());
        b.putInt(OFF_NODE_POD_MASK, network.nodePods().mask());
        b.putInt(OFF_CLUSTER_CIDR, network.cluster().addr());
        b.putInt(OFF_CLUSTER_MASK, network.cluster().mask());
        b.putInt(OFF_NODE_NET_CIDR, network.nodeNet().addr());
        b.putInt(OFF_NODE_NET_MASK, network.nodeNet().mask());
        return b.array();
    }
}
