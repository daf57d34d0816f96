package dev.flows.cluster;

import dev.flows.cluster.NetworkPolicy.Direction;
import dev.flows.cluster.NetworkPolicy.Expression;
import dev.flows.cluster.NetworkPolicy.IpBlock;
import dev.flows.cluster.NetworkPolicy.Operator;
import dev.flows.cluster.NetworkPolicy.Peer;
import dev.flows.cluster.NetworkPolicy.Port;
import dev.flows.cluster.NetworkPolicy.Rule;
import dev.flows.cluster.NetworkPolicy.Selector;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the spec of a NetworkPolicy document for {@link YamlClusterLoader}, validating what the
 * API server would (and what enforcement needs): every error names the field, the bad value and
 * what is valid.
 */
final class NetworkPolicyReader {

    /** Builds the loader's one-line error for a field of the object being read. */
    interface Problems {
        YamlClusterLoader.InvalidClusterException fail(String problem, String field, Object value, String valid);
    }

    private static final Set<String> PROTOCOLS = Set.of("TCP", "UDP", "SCTP");
    // IANA_SVC_NAME, as Kubernetes checks container port names
    private static final String PORT_NAME = "[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?";

    private final Problems problems;

    NetworkPolicyReader(Problems problems) {
        this.problems = problems;
    }

    NetworkPolicy read(String namespace, String name, Object specValue) {
        Map<?, ?> spec = map(specValue, "spec");
        if (!spec.containsKey("podSelector")) {
            throw problems.fail("has no podSelector", "spec.podSelector", null, "a label selector ({} selects every pod of the namespace)");
        }
        Selector podSelector = selector(spec.get("podSelector"), "spec.podSelector");
        List<Rule> ingress = rules(spec.get("ingress"), "spec.ingress", "from");
        List<Rule> egress = rules(spec.get("egress"), "spec.egress", "to");
        Set<Direction> types = EnumSet.noneOf(Direction.class);
        List<?> l = list(spec.get("policyTypes"), "spec.policyTypes");
        if (l.isEmpty()) {
            // Kubernetes' defaulting: always Ingress, Egress only when there are egress rules
            types.add(Direction.INGRESS);
            if (!egress.isEmpty()) {
                types.add(Direction.EGRESS);
            }
        } else {
            for (int i = 0; i < l.size(); i++) {
                Object t = l.get(i);
                if ("Ingress".equals(t)) {
                    types.add(Direction.INGRESS);
                } else if ("Egress".equals(t)) {
                    types.add(Direction.EGRESS);
                } else {
                    throw problems.fail("has an unknown policy type", "spec.policyTypes[" + i + "]", t, "Ingress or Egress");
                }
            }
        }
        return new NetworkPolicy(namespace, name, podSelector, Set.copyOf(types), ingress, egress);
    }

    private List<Rule> rules(Object value, String field, String peersKey) {
        List<Rule> out = new ArrayList<>();
        List<?> raw = list(value, field);
        for (int i = 0; i < raw.size(); i++) {
            String f = field + "[" + i + "]";
            Map<?, ?> rule = map(raw.get(i), f);
            List<Peer> peers = new ArrayList<>();
            List<?> rawPeers = list(rule.get(peersKey), f + "." + peersKey);
            for (int j = 0; j < rawPeers.size(); j++) {
                peers.add(peer(rawPeers.get(j), f + "." + peersKey + "[" + j + "]"));
            }
            List<Port> ports = new ArrayList<>();
            List<?> rawPorts = list(rule.get("ports"), f + ".ports");
            for (int j = 0; j < rawPorts.size(); j++) {
                ports.add(port(rawPorts.get(j), f + ".ports[" + j + "]"));
            }
            out.add(new Rule(List.copyOf(peers), List.copyOf(ports)));
        }
        return List.copyOf(out);
    }

    private Peer peer(Object value, String field) {
        Map<?, ?> p = map(value, field);
        Selector pods = p.containsKey("podSelector") ? selector(p.get("podSelector"), field + ".podSelector") : null;
        Selector namespaces = p.containsKey("namespaceSelector") ? selector(p.get("namespaceSelector"), field + ".namespaceSelector") : null;
        IpBlock block = p.containsKey("ipBlock") ? ipBlock(p.get("ipBlock"), field + ".ipBlock") : null;
        if (block != null && (pods != null || namespaces != null)) {
            throw problems.fail("mixes ipBlock with selectors", field, p.keySet(), "ipBlock alone, or podSelector and/or namespaceSelector");
        }
        if (block == null && pods == null && namespaces == null) {
            throw problems.fail("has an empty peer", field, value, "podSelector, namespaceSelector or ipBlock");
        }
        return new Peer(pods, namespaces, block);
    }

    private IpBlock ipBlock(Object value, String field) {
        Map<?, ?> b = map(value, field);
        int[] cidr = cidr(b.get("cidr"), field + ".cidr");
        List<String> except = new ArrayList<>();
        List<?> raw = list(b.get("except"), field + ".except");
        for (int i = 0; i < raw.size(); i++) {
            int[] e = cidr(raw.get(i), field + ".except[" + i + "]");
            // inside cidr and strictly smaller, as the API server requires
            if (e[1] <= cidr[1] || (e[0] & mask(cidr[1])) != cidr[0]) {
                throw problems.fail("has an except outside its cidr", field + ".except[" + i + "]", raw.get(i),
                        "a prefix strictly inside " + text(cidr));
            }
            except.add(text(e));
        }
        return new IpBlock(text(cidr), List.copyOf(except));
    }

    /** {network, length}, host bits cleared (the API server accepts them set). */
    private int[] cidr(Object value, String field) {
        String[] parts = value instanceof String s ? s.split("/", -1) : new String[0];
        if (parts.length != 2 || !YamlObjectReader.isIpv4(parts[0]) || !parts[1].matches("\\d{1,2}") || Integer.parseInt(parts[1]) > 32) {
            throw problems.fail("has an invalid CIDR", field, value, "an IPv4 prefix such as 203.0.113.0/24");
        }
        int addr = 0;
        for (String octet : parts[0].split("\\.")) {
            addr = (addr << 8) | Integer.parseInt(octet);
        }
        int len = Integer.parseInt(parts[1]);
        return new int[] {addr & mask(len), len};
    }

    private static int mask(int len) {
        return len == 0 ? 0 : -1 << (32 - len);
    }

    private static String text(int[] cidr) {
        int a = cidr[0];
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff) + "/" + cidr[1];
    }

    private Port port(Object value, String field) {
        Map<?, ?> p = map(value, field);
        Object protoValue = p.get("protocol");
        String protocol = protoValue == null ? "TCP" : String.valueOf(protoValue);
        if (!PROTOCOLS.contains(protocol)) {
            throw problems.fail("has an unknown protocol", field + ".protocol", protoValue, "TCP, UDP or SCTP");
        }
        Object portValue = p.get("port");
        int number = 0;
        String name = null;
        if (portValue instanceof Integer i) {
            number = inRange(i, field + ".port", portValue);
        } else if (portValue instanceof String s && s.matches("\\d{1,5}")) {
            number = inRange(Integer.parseInt(s), field + ".port", portValue);
        } else if (portValue instanceof String s && s.matches(PORT_NAME) && s.matches(".*[a-z].*")) {
            name = s;
        } else if (portValue != null) {
            throw problems.fail("has an invalid port", field + ".port", portValue,
                    "a number 1-65535 or a container port name (lowercase letters, digits, '-', at most 15)");
        }
        Object endValue = p.get("endPort");
        int end = 0;
        if (endValue != null) {
            if (!(endValue instanceof Integer e)) {
                throw problems.fail("has an invalid endPort", field + ".endPort", endValue, "a number 1-65535");
            }
            if (number == 0) {
                throw problems.fail("has an endPort without a numeric port", field + ".endPort", endValue,
                        name == null ? "a numeric port to start the range" : "a numeric port to start the range, not the named port '" + name + "'");
            }
            end = inRange(e, field + ".endPort", endValue);
            if (end < number) {
                throw problems.fail("has an endPort below its port", field + ".endPort", endValue, "a number from " + number + " to 65535");
            }
        }
        return new Port(protocol, number, name, end);
    }

    private int inRange(int p, String field, Object value) {
        if (p < 1 || p > 65535) {
            throw problems.fail("has a port out of range", field, value, "a number 1-65535");
        }
        return p;
    }

    private Selector selector(Object value, String field) {
        Map<?, ?> s = map(value, field);
        Map<String, String> labels = new LinkedHashMap<>();
        map(s.get("matchLabels"), field + ".matchLabels").forEach((k, v) -> labels.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        List<Expression> expressions = new ArrayList<>();
        List<?> raw = list(s.get("matchExpressions"), field + ".matchExpressions");
        for (int i = 0; i < raw.size(); i++) {
            String f = field + ".matchExpressions[" + i + "]";
            Map<?, ?> x = map(raw.get(i), f);
            Object key = x.get("key");
            if (!(key instanceof String k) || k.isBlank()) {
                throw problems.fail("has an expression without key", f + ".key", key, "a label key");
            }
            Operator op;
            try {
                op = Operator.valueOf(String.valueOf(x.get("operator")));
            } catch (IllegalArgumentException e) {
                throw problems.fail("has an unknown operator", f + ".operator", x.get("operator"), "In, NotIn, Exists or DoesNotExist");
            }
            Set<String> values = new LinkedHashSet<>();
            list(x.get("values"), f + ".values").forEach(v -> values.add(String.valueOf(v)));
            boolean wantsValues = op == Operator.In || op == Operator.NotIn;
            if (wantsValues == values.isEmpty()) {
                throw problems.fail(wantsValues ? "has no values" : "has values", f + ".values", x.get("values"),
                        wantsValues ? "a non-empty list for " + op : "no values for " + op);
            }
            expressions.add(new Expression(k, op, Set.copyOf(values)));
        }
        return new Selector(Map.copyOf(labels), List.copyOf(expressions));
    }

    private Map<?, ?> map(Object value, String field) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> m)) {
            throw problems.fail("has an invalid " + field, field, value, "a mapping");
        }
        return m;
    }

    private List<?> list(Object value, String field) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> l)) {
            throw problems.fail("has an invalid " + field, field, value, "a list");
        }
        return l;
    }
}
