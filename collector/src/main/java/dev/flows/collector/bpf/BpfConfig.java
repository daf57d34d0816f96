package dev.flows.collector.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Load-time configuration of the BPF programs: the Java twin of {@code struct flows_config} in
 * bpf/include/config.h (keep in sync; EventLayoutBtfTest checks the layout against BTF). It is
 * written into each object's .rodata at offset 0 before load, so the verifier sees constants.
 *
 * @param aggregationIntervalNs at most one interval report per connection, point and interface
 * @param aggregationLevel {@link #AGG_NONE} reports every packet, {@link #AGG_CONNECTION} aggregates
 * @param wakeupBytes wake the reader once this much data is pending in the ring; 0 = every event
 */
public record BpfConfig(long aggregationIntervalNs, int aggregationLevel, int wakeupBytes) {
    /** enum flows_aggregation_level AGG_NONE */
    public static final int AGG_NONE = 0;
    /** enum flows_aggregation_level AGG_CONNECTION */
    public static final int AGG_CONNECTION = 1;

    /** sizeof(struct flows_config) and its field offsets, checked against BTF. */
    public static final int SIZE = 16;
    public static final int OFF_AGGREGATION_INTERVAL_NS = 0;
    public static final int OFF_AGGREGATION_LEVEL = 8;
    public static final int OFF_WAKEUP_BYTES = 12;

    /** The defaults of config.h. */
    public static final BpfConfig DEFAULTS = new BpfConfig(5_000_000_000L, AGG_CONNECTION, 65536);

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
    }

    public BpfConfig withAggregationIntervalNs(long ns) {
        return new BpfConfig(ns, aggregationLevel, wakeupBytes);
    }

    public BpfConfig withAggregationLevel(int level) {
        return new BpfConfig(aggregationIntervalNs, level, wakeupBytes);
    }

    public BpfConfig withWakeupBytes(int bytes) {
        return new BpfConfig(aggregationIntervalNs, aggregationLevel, bytes);
    }

    /** The struct's bytes in host order. */
    byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
        b.putLong(OFF_AGGREGATION_INTERVAL_NS, aggregationIntervalNs);
        b.putInt(OFF_AGGREGATION_LEVEL, aggregationLevel);
        b.putInt(OFF_WAKEUP_BYTES, wakeupBytes);
        return b.array();
    }
}
