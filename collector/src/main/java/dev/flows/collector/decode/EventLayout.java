package dev.flows.collector.decode;

import dev.flows.collector.bpf.CLayout.Field;
import dev.flows.collector.bpf.CLayout.Struct;
import java.util.List;

/**
 * Offsets and sizes of the records our BPF programs write into the ring buffer.
 *
 * <p>Twin of {@code bpf/include/flows_event.h}; keep in sync with it. {@link #FIELDS} lists every
 * field the decoder reads, and EventLayoutBtfTest checks each offset and size, and each struct
 * size, against the BTF of the compiled BPF objects.
 */
public final class EventLayout {
    private EventLayout() {}

    public static final int VERSION = 3;

    // struct event_header
    public static final int HDR_TS_NS = 0;
    public static final int HDR_IFINDEX = 8;
    public static final int HDR_LEN = 12;
    public static final int HDR_TYPE = 14;
    public static final int HDR_SUBTYPE = 15;
    public static final int HDR_VERSION = 16;
    public static final int HDR_OBS_POINT = 17;
    public static final int HDR_SIZE = 24;

    // struct flow_tuple, relative to its start
    public static final int TUPLE_SADDR = 0;
    public static final int TUPLE_DADDR = 16;
    public static final int TUPLE_SPORT = 32;
    public static final int TUPLE_DPORT = 34;
    public static final int TUPLE_PROTO = 36;
    public static final int TUPLE_FAMILY = 37;
    public static final int TUPLE_SIZE = 40;

    // struct trace_event
    public static final int TRACE_TUPLE = 24;
    public static final int TRACE_SMAC = 64;
    public static final int TRACE_DMAC = 70;
    public static final int TRACE_TCP_FLAGS = 76;
    public static final int TRACE_REASON = 77;
    public static final int TRACE_ICMP_TYPE = 78;
    public static final int TRACE_ICMP_CODE = 79;
    public static final int TRACE_PKT_LEN = 80;
    public static final int TRACE_DIRECTION = 84;
    public static final int TRACE_PACKETS = 88;
    public static final int TRACE_BYTES = 96;
    public static final int TRACE_XLATE_TUPLE = 104;
    public static final int TRACE_SERVICE_ID = 144;
    public static final int TRACE_XLATE = 148;
    public static final int TRACE_CT_STATE = 149;
    public static final int TRACE_SIZE = 152;

    // struct drop_event
    public static final int DROP_TUPLE = 24;
    public static final int DROP_SMAC = 64;
    public static final int DROP_DMAC = 70;
    public static final int DROP_TCP_FLAGS = 76;
    public static final int DROP_ICMP_TYPE = 77;
    public static final int DROP_ICMP_CODE = 78;
    public static final int DROP_PKT_LEN = 80;
    public static final int DROP_SERVICE_ID = 84;
    public static final int DROP_SIZE = 88;

    // struct policy_verdict_event
    public static final int VERDICT_TUPLE = 24;
    public static final int VERDICT_REMOTE_IDENTITY = 64;
    public static final int VERDICT_POLICY_ID = 68;
    public static final int VERDICT_PKT_LEN = 72;
    public static final int VERDICT_DIRECTION = 76;
    public static final int VERDICT_ACTION = 77;
    public static final int VERDICT_MATCH_TYPE = 78;
    public static final int VERDICT_TCP_FLAGS = 79;
    public static final int VERDICT_ICMP_TYPE = 80;
    public static final int VERDICT_ICMP_CODE = 81;
    public static final int VERDICT_SIZE = 88;

    /** FLOWS_POLICY_INGRESS / _EGRESS (policy_maps.h) and enum flows_policy_action. */
    public static final int POLICY_INGRESS = 0;
    public static final int POLICY_EGRESS = 1;
    public static final int POLICY_ACTION_ALLOW = 1;
    public static final int POLICY_ACTION_AUDIT = 2;

    // enum flows_xlate bits
    public static final int XLATE_DNAT = 1;
    public static final int XLATE_SNAT = 2;
    public static final int XLATE_REV_DNAT = 4;
    public static final int XLATE_REV_SNAT = 8;

    public static final List<Struct> STRUCTS = List.of(
            new Struct("event_header", HDR_SIZE),
            new Struct("flow_tuple", TUPLE_SIZE),
            new Struct("trace_event", TRACE_SIZE),
            new Struct("drop_event", DROP_SIZE),
            new Struct("policy_verdict_event", VERDICT_SIZE));

    public static final List<Field> FIELDS = List.of(
            new Field("event_header", "ts_ns", HDR_TS_NS, 8),
            new Field("event_header", "ifindex", HDR_IFINDEX, 4),
            new Field("event_header", "len", HDR_LEN, 2),
            new Field("event_header", "type", HDR_TYPE, 1),
            new Field("event_header", "subtype", HDR_SUBTYPE, 1),
            new Field("event_header", "version", HDR_VERSION, 1),
            new Field("event_header", "obs_point", HDR_OBS_POINT, 1),
            new Field("flow_tuple", "saddr", TUPLE_SADDR, 16),
            new Field("flow_tuple", "daddr", TUPLE_DADDR, 16),
            new Field("flow_tuple", "sport", TUPLE_SPORT, 2),
            new Field("flow_tuple", "dport", TUPLE_DPORT, 2),
            new Field("flow_tuple", "proto", TUPLE_PROTO, 1),
            new Field("flow_tuple", "family", TUPLE_FAMILY, 1),
            new Field("trace_event", "hdr", 0, HDR_SIZE),
            new Field("trace_event", "tuple", TRACE_TUPLE, TUPLE_SIZE),
            new Field("trace_event", "smac", TRACE_SMAC, 6),
            new Field("trace_event", "dmac", TRACE_DMAC, 6),
            new Field("trace_event", "tcp_flags", TRACE_TCP_FLAGS, 1),
            new Field("trace_event", "reason", TRACE_REASON, 1),
            new Field("trace_event", "icmp_type", TRACE_ICMP_TYPE, 1),
            new Field("trace_event", "icmp_code", TRACE_ICMP_CODE, 1),
            new Field("trace_event", "pkt_len", TRACE_PKT_LEN, 4),
            new Field("trace_event", "direction", TRACE_DIRECTION, 1),
            new Field("trace_event", "packets", TRACE_PACKETS, 8),
            new Field("trace_event", "bytes", TRACE_BYTES, 8),
            new Field("trace_event", "xlate_tuple", TRACE_XLATE_TUPLE, TUPLE_SIZE),
            new Field("trace_event", "service_id", TRACE_SERVICE_ID, 4),
            new Field("trace_event", "xlate", TRACE_XLATE, 1),
            new Field("trace_event", "ct_state", TRACE_CT_STATE, 1),
            new Field("drop_event", "hdr", 0, HDR_SIZE),
            new Field("drop_event", "tuple", DROP_TUPLE, TUPLE_SIZE),
            new Field("drop_event", "smac", DROP_SMAC, 6),
            new Field("drop_event", "dmac", DROP_DMAC, 6),
            new Field("drop_event", "tcp_flags", DROP_TCP_FLAGS, 1),
            new Field("drop_event", "icmp_type", DROP_ICMP_TYPE, 1),
            new Field("drop_event", "icmp_code", DROP_ICMP_CODE, 1),
            new Field("drop_event", "pkt_len", DROP_PKT_LEN, 4),
            new Field("drop_event", "service_id", DROP_SERVICE_ID, 4),
            new Field("policy_verdict_event", "hdr", 0, HDR_SIZE),
            new Field("policy_verdict_event", "tuple", VERDICT_TUPLE, TUPLE_SIZE),
            new Field("policy_verdict_event", "remote_identity", VERDICT_REMOTE_IDENTITY, 4),
            new Field("policy_verdict_event", "policy_id", VERDICT_POLICY_ID, 4),
            new Field("policy_verdict_event", "pkt_len", VERDICT_PKT_LEN, 4),
            new Field("policy_verdict_event", "direction", VERDICT_DIRECTION, 1),
            new Field("policy_verdict_event", "action", VERDICT_ACTION, 1),
            new Field("policy_verdict_event", "match_type", VERDICT_MATCH_TYPE, 1),
            new Field("policy_verdict_event", "tcp_flags", VERDICT_TCP_FLAGS, 1),
            new Field("policy_verdict_event", "icmp_type", VERDICT_ICMP_TYPE, 1),
            new Field("policy_verdict_event", "icmp_code", VERDICT_ICMP_CODE, 1));
}
