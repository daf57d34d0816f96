package dev.flows.cluster;

import static dev.flows.cluster.FieldChecks.each;

import dev.flows.cluster.NetworkPolicy.Direction;
import dev.flows.cluster.NetworkPolicy.Expression;
import dev.flows.cluster.NetworkPolicy.IpBlock;
import dev.flows.cluster.NetworkPolicy.Operator;
import dev.flows.cluster.NetworkPolicy.Peer;
import dev.flows.cluster.NetworkPolicy.Port;
import dev.flows.cluster.NetworkPolicy.Rule;
import dev.flows.cluster.NetworkPolicy.Selector;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * fabric8's NetworkPolicy onto the model's, validating what the API server would (files are not
 * validated by anyone else) and what enforcement needs: every error names the field, the bad value
 * and what is valid.
 */
final class KubePolicies {
    private KubePolicies() {}

    static NetworkPolicy read(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy np, String namespace, FieldChecks at) {
        NetworkPolicySpec spec = np.getSpec();
        if (spec == null || spec.getPodSelector() == null) {
            throw at.fail("has no podSelector", "spec.podSelector", null, "a label selector ({} selects every pod of the namespace)");
        }
        Selector podSelector = selector(spec.getPodSelector(), "spec.podSelector", at);
        List<Rule> ingress = new ArrayList<>();
        List<NetworkPolicyIngressRule> in = each(spec.getIngress());
        for (int i = 0; i < in.size(); i++) {
            // an empty rule (null too) allows every peer on every port
            NetworkPolicyIngressRule r = in.get(i);
            ingress.add(rule(r == null ? null : r.getFrom(), r == null ? null : r.getPorts(), "spec.ingress[" + i + "]", "from", at));
        }
        List<Rule> egress = new ArrayList<>();
        List<NetworkPolicyEgressRule> out = each(spec.getEgress());
        for (int i = 0; i < out.size(); i++) {
            NetworkPolicyEgressRule r = out.get(i);
            egress.add(rule(r == null ? null : r.getTo(), r == null ? null : r.getPorts(), "spec.egress[" + i + "]", "to", at));
        }
        Set<Direction> types = EnumSet.noneOf(Direction.class);
        List<String> l = each(spec.getPolicyTypes());
        if (l.isEmpty()) {
            // Kubernetes' defaulting: always Ingress, Egress only when there are egress rules
            types.add(Direction.INGRESS);
            if (!egress.isEmpty()) {
                types.add(Direction.EGRESS);
            }
        } else {
            for (int i = 0; i < l.size(); i++) {
                String t = l.get(i);
                if ("Ingress".equals(t)) {
                    types.add(Direction.INGRESS);
                } else if ("Egress".equals(t)) {
                    types.add(Direction.EGRESS);
                } else {
                    throw at.fail("has an unknown policy type", "spec.policyTypes[" + i + "]", t, "Ingress or Egress");
                }
            }
        }
        String audit = np.getMetadata().getAnnotations() == null ? null : np.getMetadata().getAnnotations().get(NetworkPolicy.AUDIT_ANNOTATION);
        if (audit != null && !audit.equals("true") && !audit.equals("false")) {
            throw at.fail("has an invalid audit annotation", "metadata.annotations." + NetworkPolicy.AUDIT_ANNOTATION, audit,
                    "\"true\" (evaluate and report, do not enforce) or \"false\"");
        }
        return new NetworkPolicy(namespace, np.getMetadata().getName(), podSelector, Set.copyOf(types),
                List.copyOf(ingress), List.copyOf(egress), "true".equals(audit));
    }

    private static Rule rule(List<NetworkPolicyPeer> rawPeers, List<NetworkPolicyPort> rawPorts, String field, String peersKey, FieldChecks at) {
        List<Peer> peers = new ArrayList<>();
        List<NetworkPolicyPeer> ps = each(rawPeers);
        for (int j = 0; j < ps.size(); j++) {
            peers.add(peer(ps.get(j), field + "." + peersKey + "[" + j + "]", at));
        }
        List<Port> ports = new ArrayList<>();
        List<NetworkPolicyPort> qs = each(rawPorts);
        for (int j = 0; j < qs.size(); j++) {
            ports.add(port(qs.get(j), field + ".ports[" + j + "]", at));
        }
        return new Rule(List.copyOf(peers), List.copyOf(ports));
    }

    private static Peer peer(NetworkPolicyPeer p, String field, FieldChecks at) {
        if (p == null) {
            throw at.fail("has an empty peer", field, null, "podSelector, namespaceSelector or ipBlock");
        }
        Selector pods = p.getPodSelector() == null ? null : selector(p.getPodSelector(), field + ".podSelector", at);
        Selector namespaces = p.getNamespaceSelector() == null ? null : selector(p.getNamespaceSelector(), field + ".namespaceSelector", at);
        IpBlock block = p.getIpBlock() == null ? null : ipBlock(p.getIpBlock(), field + ".ipBlock", at);
        if (block != null && (pods != null || namespaces != null)) {
            List<String> given = new ArrayList<>(List.of("ipBlock"));
            if (namespaces != null) {
                given.add("namespaceSelector");
            }
            if (pods != null) {
                given.add("podSelector");
            }
            throw at.fail("mixes ipBlock with selectors", field, given, "ipBlock alone, or podSelector and/or namespaceSelector");
        }
        if (block == null && pods == null && namespaces == null) {
            throw at.fail("has an empty peer", field, "{}", "podSelector, namespaceSelector or ipBlock");
        }
        return new Peer(pods, namespaces, block);
    }

    private static IpBlock ipBlock(IPBlock b, String field, FieldChecks at) {
        int[] cidr = cidr(b.getCidr(), field + ".cidr", at);
        List<String> except = new ArrayList<>();
        List<String> raw = each(b.getExcept());
        for (int i = 0; i < raw.size(); i++) {
            int[] e = cidr(raw.get(i), field + ".except[" + i + "]", at);
            // inside cidr and strictly smaller, as the API server requires
            if (e[1] <= cidr[1] || (e[0] & mask(cidr[1])) != cidr[0]) {
                throw at.fail("has an except outside its cidr", field + ".except[" + i + "]", raw.get(i),
                        "a prefix strictly inside " + text(cidr));
            }
            except.add(text(e));
        }
        return new IpBlock(text(cidr), List.copyOf(except));
    }

    /** {network, length}, host bits cleared (the API server accepts them set). */
    private static int[] cidr(String value, String field, FieldChecks at) {
        String[] parts = value == null ? new String[0] : value.split("/", -1);
        if (parts.length != 2 || !FieldChecks.isIpv4(parts[0]) || !parts[1].matches("\\d{1,2}") || Integer.parseInt(parts[1]) > 32) {
            throw at.fail("has an invalid CIDR", field, value, "an IPv4 prefix such as 203.0.113.0/24");
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

    private static Port port(NetworkPolicyPort p, String field, FieldChecks at) {
        if (p == null) {
            // an empty port entry: every port of TCP, as Kubernetes defaults it
            return new Port("TCP", 0, null, 0);
        }
        String protocol = at.protocol(p.getProtocol(), field);
        IntOrString value = p.getPort();
        Integer intVal = value == null ? null : value.getIntVal();
        String strVal = value == null ? null : value.getStrVal();
        int number = 0;
        String name = null;
        if (intVal != null) {
            number = inRange(intVal, field + ".port", intVal, at);
        } else if (strVal != null && strVal.matches("\\d{1,5}")) {
            number = inRange(Integer.parseInt(strVal), field + ".port", strVal, at);
        } else if (strVal != null && FieldChecks.isPortName(strVal)) {
            name = strVal;
        } else if (strVal != null) {
            throw at.fail("has an invalid port", field + ".port", strVal,
                    "a number 1-65535 or a container port name (lowercase letters, digits, '-', at most 15)");
        }
        Integer endValue = p.getEndPort();
        int end = 0;
        if (endValue != null) {
            if (number == 0) {
                throw at.fail("has an endPort without a numeric port", field + ".endPort", endValue,
                        name == null ? "a numeric port to start the range" : "a numeric port to start the range, not the named port '" + name + "'");
            }
            end = inRange(endValue, field + ".endPort", endValue, at);
            if (end < number) {
                throw at.fail("has an endPort below its port", field + ".endPort", endValue, "a number from " + number + " to 65535");
            }
        }
        return new Port(protocol, number, name, end);
    }

    private static int inRange(int p, String field, Object value, FieldChecks at) {
        if (p < 1 || p > 65535) {
            throw at.fail("has a port out of range", field, value, "a number 1-65535");
        }
        return p;
    }

    private static Selector selector(LabelSelector s, String field, FieldChecks at) {
        List<Expression> expressions = new ArrayList<>();
        List<LabelSelectorRequirement> raw = each(s.getMatchExpressions());
        for (int i = 0; i < raw.size(); i++) {
            String f = field + ".matchExpressions[" + i + "]";
            LabelSelectorRequirement x = raw.get(i) == null ? new LabelSelectorRequirement() : raw.get(i);
            String k = x.getKey();
            if (k == null || k.isBlank()) {
                throw at.fail("has an expression without key", f + ".key", k, "a label key");
            }
            Operator op;
            try {
                op = Operator.valueOf(String.valueOf(x.getOperator()));
            } catch (IllegalArgumentException e) {
                throw at.fail("has an unknown operator", f + ".operator", x.getOperator(), "In, NotIn, Exists or DoesNotExist");
            }
            Set<String> values = new LinkedHashSet<>();
            each(x.getValues()).forEach(v -> values.add(String.valueOf(v)));
            boolean wantsValues = op == Operator.In || op == Operator.NotIn;
            if (wantsValues == values.isEmpty()) {
                throw at.fail(wantsValues ? "has no values" : "has values", f + ".values", values.isEmpty() ? null : x.getValues(),
                        wantsValues ? "a non-empty list for " + op : "no values for " + op);
            }
            expressions.add(new Expression(k, op, Set.copyOf(values)));
        }
        return new Selector(FieldChecks.strings(s.getMatchLabels()), List.copyOf(expressions));
    }
}
