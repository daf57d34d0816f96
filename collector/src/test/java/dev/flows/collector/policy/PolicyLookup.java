package dev.flows.collector.policy;

import dev.flows.observer.net.Ipv4Prefix;

import static dev.flows.collector.policy.PolicyMapLayout.PREFIX_ANY_PROTOCOL;
import static dev.flows.collector.policy.PolicyMapLayout.PREFIX_PORT_BITS_START;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the datapath will decide from the compiled maps, looked up the way policy_maps.h says the
 * program does (longest prefix in the ipcache, then in the policy map with the remote's identity,
 * then with ANY), so tests read as verdicts on connections.
 */
final class PolicyLookup {
    private final Map<Ipv4Prefix, Integer> ipcache;
    private final Map<PolicyKey, PolicyValue> policy;
    private final Map<Integer, EndpointPolicy> endpoints;
    private final Map<Integer, String> names;

    PolicyLookup(PolicyState node) {
        this(node.ipcache(), node.policyMap(), node.endpoints(), node.policyNames());
    }

    PolicyLookup(Map<Ipv4Prefix, Integer> ipcache, Map<PolicyKey, PolicyValue> policy, Map<Integer, EndpointPolicy> endpoints,
            Map<Integer, String> names) {
        this.ipcache = ipcache;
        this.policy = policy;
        this.endpoints = endpoints;
        this.names = names;
    }

    /**
     * The verdict on a new connection: "DENY egress" or "DENY ingress" (the side that denies
     * first), else "ALLOW by" the policies that allowed (egress side first), or "ALLOW" when
     * neither side is enforced.
     */
    String verdict(String srcIp, String dstIp, int protocol, int dport) {
        List<String> by = new ArrayList<>();
        String egress = side(srcIp, PolicyKey.EGRESS, dstIp, protocol, dport);
        if (egress == null) {
            return "DENY egress";
        }
        String ingress = side(dstIp, PolicyKey.INGRESS, srcIp, protocol, dport);
        if (ingress == null) {
            return "DENY ingress";
        }
        if (egress.equals(AUDITED) || ingress.equals(AUDITED)) {
            return "AUDIT " + (egress.equals(AUDITED) ? "egress" : "ingress");
        }
        for (String s : List.of(egress, ingress)) {
            if (!s.isEmpty() && !by.contains(s)) {
                by.add(s);
            }
        }
        return by.isEmpty() ? "ALLOW" : "ALLOW by " + String.join(", ", by);
    }

    /** What a side in audit mode says when no entry allows: forwarded, reported as AUDIT. */
    private static final String AUDITED = "(audit)";

    /** null: denied; "": not decided (or not a local pod); AUDITED; else the allowing policy's name. */
    private String side(String localIp, int direction, String remoteIp, int protocol, int dport) {
        int endpoint = Ipv4Prefix.parse(localIp).addr();
        EndpointPolicy e = endpoints.get(endpoint);
        if (e == null || e.of(direction) == EndpointPolicy.Mode.OFF) {
            return "";
        }
        int remote = identity(remoteIp);
        PolicyValue v = longest(endpoint, direction, remote, protocol, dport);
        if (v == null) {
            v = longest(endpoint, direction, PolicyMapLayout.IDENTITY_ANY, protocol, dport);
        }
        if (v == null) {
            return e.of(direction) == EndpointPolicy.Mode.AUDIT ? AUDITED : null;
        }
        return names.getOrDefault(v.policyId(), "#" + v.policyId());
    }

    int identity(String ip) {
        int a = Ipv4Prefix.parse(ip).addr();
        Ipv4Prefix best = null;
        for (Ipv4Prefix p : ipcache.keySet()) {
            if (p.containsAddress(a) && (best == null || p.len() > best.len())) {
                best = p;
            }
        }
        return ipcache.get(best);
    }

    private PolicyValue longest(int endpoint, int direction, int remote, int protocol, int dport) {
        PolicyKey best = null;
        for (Map.Entry<PolicyKey, PolicyValue> e : policy.entrySet()) {
            PolicyKey k = e.getKey();
            if (covers(k, endpoint, direction, remote, protocol, dport) && (best == null || k.prefixLen() > best.prefixLen())) {
                best = k;
            }
        }
        return best == null ? null : policy.get(best);
    }

    /** Whether an entry's prefix matches that exact lookup key, as the LPM trie compares bits. */
    static boolean covers(PolicyKey k, int endpoint, int direction, int remote, int protocol, int dport) {
        if (endpoint != k.endpointId() || direction != k.direction() || remote != k.remoteIdentity()) {
            return false;
        }
        if (k.prefixLen() == PREFIX_ANY_PROTOCOL) {
            return true;
        }
        if (protocol != k.protocol()) {
            return false;
        }
        int bits = k.prefixLen() - PREFIX_PORT_BITS_START;
        return bits <= 0 || ((dport ^ k.port()) & (0xffff << (16 - bits)) & 0xffff) == 0;
    }
}
