package dev.flows.collector.bpf;

import dev.flows.collector.bpf.CLayout.Field;
import dev.flows.collector.bpf.CLayout.Struct;
import java.util.List;

/**
 * Offsets and sizes of the map keys and values the collector reads and writes: twins of
 * {@code struct ct_entry} (conntrack.h), {@code struct nat_entry} (nat.h) and the {@code lb_*}
 * structs (lb.h); keep in sync with them. EventLayoutBtfTest checks every entry of {@link #FIELDS}
 * and {@link #STRUCTS} against the BTF of the compiled objects. Integers are host order,
 * addresses network order (as in packets), ports host order.
 */
public final class MapLayout {
    private MapLayout() {}

    public static final String CT = "flows_ct";
    public static final String NAT = "flows_nat";
    public static final String LB_SERVICES = "flows_lb_services";
    public static final String LB_BACKENDS = "flows_lb_backends";
    public static final String LB_REVNAT = "flows_lb_revnat";
    public static final String LB_MAGLEV = "flows_lb_maglev";
    /** The policy maps of policy.h; their layouts are dev.flows.collector.policy.PolicyMapLayout's. */
    public static final String IPCACHE = "flows_ipcache";
    public static final String POLICY = "flows_policy";
    public static final String ENDPOINTS = "flows_endpoints";

    // struct ct_entry
    public static final int CT_CREATED_NS = 0;
    public static final int CT_LAST_SEEN_NS = 8;
    public static final int CT_EXPIRES_NS = 16;
    public static final int CT_SERVICE_ID = 24;
    public static final int CT_REV_NAT_INDEX = 28;
    public static final int CT_BACKEND_IP = 32;
    public static final int CT_BACKEND_PORT = 36;
    public static final int CT_STATE = 38;
    public static final int CT_FLAGS = 39;
    public static final int CT_SIZE = 40;
    /** enum ct_flags */
    public static final int CT_F_SERVICE = 1;
    public static final int CT_F_DNAT = 2;
    public static final int CT_F_EGRESS_ALLOWED = 4;
    public static final int CT_F_EGRESS_DENIED = 8;
    public static final int CT_F_INGRESS_ALLOWED = 16;
    public static final int CT_F_INGRESS_DENIED = 32;

    // struct nat_entry
    public static final int NAT_EXPIRES_NS = 0;
    public static final int NAT_ADDR = 8;
    public static final int NAT_PORT = 12;
    public static final int NAT_REVERSE = 14;
    public static final int NAT_SIZE = 16;

    // struct lb_key
    public static final int LB_KEY_ADDR = 0;
    public static final int LB_KEY_PORT = 4;
    public static final int LB_KEY_PROTO = 6;
    public static final int LB_KEY_SIZE = 8;

    // struct lb_service
    public static final int LB_SVC_ID = 0;
    public static final int LB_SVC_BACKEND_COUNT = 4;
    public static final int LB_SVC_FLAGS = 6;
    public static final int LB_SVC_SIZE = 8;
    /** enum lb_flags */
    public static final int LB_F_NODEPORT = 1;
    public static final int LB_F_MAGLEV = 2;

    // struct lb_backend_key
    public static final int LB_BKEY_SERVICE_ID = 0;
    public static final int LB_BKEY_SLOT = 4;
    public static final int LB_BKEY_SIZE = 8;

    // struct lb_backend and struct lb_revnat (same shape)
    public static final int LB_BACKEND_ADDR = 0;
    public static final int LB_BACKEND_PORT = 4;
    public static final int LB_BACKEND_SIZE = 8;

    // struct lb_maglev
    public static final int MAGLEV_SIZE = 1021;
    public static final int LB_MAGLEV_BYTES = 2 * MAGLEV_SIZE;

    public static final List<Struct> STRUCTS = List.of(
            new Struct("ct_entry", CT_SIZE),
            new Struct("nat_entry", NAT_SIZE),
            new Struct("lb_key", LB_KEY_SIZE),
            new Struct("lb_service", LB_SVC_SIZE),
            new Struct("lb_backend_key", LB_BKEY_SIZE),
            new Struct("lb_backend", LB_BACKEND_SIZE),
            new Struct("lb_revnat", LB_BACKEND_SIZE),
            new Struct("lb_maglev", LB_MAGLEV_BYTES));

    public static final List<Field> FIELDS = List.of(
            new Field("ct_entry", "created_ns", CT_CREATED_NS, 8),
            new Field("ct_entry", "last_seen_ns", CT_LAST_SEEN_NS, 8),
            new Field("ct_entry", "expires_ns", CT_EXPIRES_NS, 8),
            new Field("ct_entry", "service_id", CT_SERVICE_ID, 4),
            new Field("ct_entry", "rev_nat_index", CT_REV_NAT_INDEX, 4),
            new Field("ct_entry", "backend_ip", CT_BACKEND_IP, 4),
            new Field("ct_entry", "backend_port", CT_BACKEND_PORT, 2),
            new Field("ct_entry", "state", CT_STATE, 1),
            new Field("ct_entry", "flags", CT_FLAGS, 1),
            new Field("nat_entry", "expires_ns", NAT_EXPIRES_NS, 8),
            new Field("nat_entry", "addr", NAT_ADDR, 4),
            new Field("nat_entry", "port", NAT_PORT, 2),
            new Field("nat_entry", "reverse", NAT_REVERSE, 1),
            new Field("lb_key", "addr", LB_KEY_ADDR, 4),
            new Field("lb_key", "port", LB_KEY_PORT, 2),
            new Field("lb_key", "proto", LB_KEY_PROTO, 1),
            new Field("lb_service", "id", LB_SVC_ID, 4),
            new Field("lb_service", "backend_count", LB_SVC_BACKEND_COUNT, 2),
            new Field("lb_service", "flags", LB_SVC_FLAGS, 2),
            new Field("lb_backend_key", "service_id", LB_BKEY_SERVICE_ID, 4),
            new Field("lb_backend_key", "slot", LB_BKEY_SLOT, 4),
            new Field("lb_backend", "addr", LB_BACKEND_ADDR, 4),
            new Field("lb_backend", "port", LB_BACKEND_PORT, 2),
            new Field("lb_revnat", "addr", LB_BACKEND_ADDR, 4),
            new Field("lb_revnat", "port", LB_BACKEND_PORT, 2),
            new Field("lb_maglev", "slot", 0, LB_MAGLEV_BYTES));
}
