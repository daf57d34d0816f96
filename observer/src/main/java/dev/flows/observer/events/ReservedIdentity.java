package dev.flows.observer.events;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Hubble's reserved security identities: the numbers below 256 that name no label set but a kind
 * of peer. Flows print them by name ({@code reserved:world}), and {@code --to-identity world}
 * means 2.
 *
 * <p>The ones our datapath hands out are also {@code FLOWS_IDENTITY_*} in
 * {@code bpf/include/policy_maps.h} (see {@link #cName()}); EventEnumsTest reads that header
 * and fails when the two disagree.
 */
public enum ReservedIdentity {
    UNKNOWN(0, "unknown", null),
    HOST(1, "host", "FLOWS_IDENTITY_HOST"),
    WORLD(2, "world", "FLOWS_IDENTITY_WORLD"),
    UNMANAGED(3, "unmanaged", null),
    HEALTH(4, "health", null),
    INIT(5, "init", null),
    REMOTE_NODE(6, "remote-node", "FLOWS_IDENTITY_REMOTE_NODE"),
    KUBE_APISERVER(7, "kube-apiserver", null),
    INGRESS(8, "ingress", null),
    WORLD_IPV4(9, "world-ipv4", null),
    WORLD_IPV6(10, "world-ipv6", null);

    private static final Map<Integer, ReservedIdentity> BY_ID =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(ReservedIdentity::id, Function.identity()));

    private final int id;
    private final String text;
    private final String cName;

    ReservedIdentity(int id, String text, String cName) {
        this.id = id;
        this.text = text;
        this.cName = cName;
    }

    public int id() {
        return id;
    }

    /** The name Hubble prints and accepts: "world", "remote-node". */
    public String text() {
        return text;
    }

    /** The label an endpoint of this identity carries: "reserved:world". */
    public String label() {
        return "reserved:" + text;
    }

    /** The {@code #define} in policy_maps.h, or null when our datapath never hands this one out. */
    public String cName() {
        return cName;
    }

    /** The reserved identity with this number, or null. */
    public static ReservedIdentity of(int id) {
        return BY_ID.get(id);
    }
}
