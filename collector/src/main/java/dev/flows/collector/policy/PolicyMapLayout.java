package dev.flows.collector.policy;

import dev.flows.observer.net.Ipv4Prefix;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Sizes, offsets and constants of the policy maps' keys and values, and their encoding into the
 * bytes a BPF map update takes.
 *
 * <p>Twin of {@code bpf/include/policy_maps.h}; keep in sync with it. PolicyMapLayoutTest compiles
 * the header alone and checks every size and offset against its BTF (the pod program, which looks
 * the maps up through policy.h, carries the same structs).
 */
public final class PolicyMapLayout {
    private PolicyMapLayout() {}

    public static final int IDENTITY_ANY = 0;
    public static final int CIDR_IDENTITY_MIN = 1 << 24;
    public static final int CIDR_IDENTITY_MAX = (1 << 25) - 1;
    public static final int ACTION_ALLOW = 1;

    // struct ipcache_key / ipcache_value
    public static final int IPCACHE_KEY_SIZE = 8;
    public static final int IPCACHE_KEY_PREFIXLEN = 0;
    public static final int IPCACHE_KEY_ADDR = 4;
    public static final int IPCACHE_VALUE_SIZE = 4;
    public static final int IPCACHE_VALUE_IDENTITY = 0;

    // struct policy_key
    public static final int POLICY_KEY_SIZE = 20;
    public static final int POLICY_KEY_PREFIXLEN = 0;
    public static final int POLICY_KEY_ENDPOINT_ID = 4;
    public static final int POLICY_KEY_DIRECTION = 8;
    public static final int POLICY_KEY_REMOTE_IDENTITY = 12;
    public static final int POLICY_KEY_PROTOCOL = 16;
    public static final int POLICY_KEY_DPORT = 18;

    /** Prefix lengths of a policy key, in bits after prefixlen (see the header). */
    public static final int PREFIX_ANY_REMOTE = 64;
    public static final int PREFIX_ANY_PROTOCOL = 96;
    public static final int PREFIX_ANY_PORT = 104;
    public static final int PREFIX_PORT_BITS_START = 112;
    public static final int PREFIX_FULL = 128;

    // struct policy_value
    public static final int POLICY_VALUE_SIZE = 8;
    public static final int POLICY_VALUE_ACTION = 0;
    public static final int POLICY_VALUE_POLICY_ID = 4;

    // struct endpoint_key / endpoint_value
    public static final int ENDPOINT_KEY_SIZE = 4;
    public static final int ENDPOINT_KEY_ENDPOINT_ID = 0;
    public static final int ENDPOINT_VALUE_SIZE = 4;
    public static final int ENDPOINT_VALUE_INGRESS = 0;
    public static final int ENDPOINT_VALUE_EGRESS = 1;

    public static byte[] ipcacheKey(Ipv4Prefix p) {
        return host(IPCACHE_KEY_SIZE).putInt(IPCACHE_KEY_PREFIXLEN, p.len())
                .order(ByteOrder.BIG_ENDIAN).putInt(IPCACHE_KEY_ADDR, p.addr()).array();
    }

    public static byte[] ipcacheValue(int identity) {
        return host(IPCACHE_VALUE_SIZE).putInt(IPCACHE_VALUE_IDENTITY, identity).array();
    }

    public static byte[] policyKey(PolicyKey k) {
        ByteBuffer b = host(POLICY_KEY_SIZE);
        b.putInt(POLICY_KEY_PREFIXLEN, k.prefixLen());
        b.put(POLICY_KEY_DIRECTION, (byte) k.direction());
        b.putInt(POLICY_KEY_REMOTE_IDENTITY, k.remoteIdentity());
        b.put(POLICY_KEY_PROTOCOL, (byte) k.protocol());
        b.order(ByteOrder.BIG_ENDIAN);
        // the endpoint id is the address as the packet carries it; the port is __be16
        b.putInt(POLICY_KEY_ENDPOINT_ID, k.endpointId());
        b.putShort(POLICY_KEY_DPORT, (short) k.port());
        return b.array();
    }

    public static byte[] policyValue(PolicyValue v) {
        ByteBuffer b = host(POLICY_VALUE_SIZE);
        b.put(POLICY_VALUE_ACTION, (byte) ACTION_ALLOW);
        b.putInt(POLICY_VALUE_POLICY_ID, v.policyId());
        return b.array();
    }

    public static byte[] endpointKey(int endpointId) {
        return ByteBuffer.allocate(ENDPOINT_KEY_SIZE).order(ByteOrder.BIG_ENDIAN).putInt(ENDPOINT_KEY_ENDPOINT_ID, endpointId).array();
    }

    public static byte[] endpointValue(EndpointPolicy e) {
        ByteBuffer b = host(ENDPOINT_VALUE_SIZE);
        b.put(ENDPOINT_VALUE_INGRESS, (byte) e.ingress().ordinal());
        b.put(ENDPOINT_VALUE_EGRESS, (byte) e.egress().ordinal());
        return b.array();
    }

    /** Native order, as the kernel reads __u32 fields (BPF runs in the host's byte order). */
    private static ByteBuffer host(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }
}
