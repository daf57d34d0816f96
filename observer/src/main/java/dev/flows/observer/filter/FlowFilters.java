package dev.flows.observer.filter;

import dev.flows.observer.net.Cidr;
import dev.flows.observer.events.Summaries;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.EventTypeFilter;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.FlowFilter;
import dev.flows.proto.flow.IPVersion;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.TCPFlags;
import dev.flows.proto.flow.Verdict;
import dev.flows.proto.flow.Workload;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Compiles Hubble FlowFilters into one predicate, once per request, with Hubble's semantics:
 * fields inside one FlowFilter are ANDed, values inside one field ORed; a flow passes when the
 * whitelist is empty or any whitelist filter matches, and no blacklist filter matches.
 *
 * <p>Fields that flows can never carry (source/destination_fqdn, http_status_code, http_method,
 * http_path, dns_query, trace_id: flows has no L7 or DNS visibility) are rejected with a
 * {@link FilterException} rather than silently matching nothing: a user who asks for
 * {@code --http-status 500} should learn that this server cannot answer, not see an empty result
 * that looks like "no errors".
 *
 * <p>Independent of gRPC: the CLI uses it to filter flows read from a file.
 */
public final class FlowFilters {
    private FlowFilters() {}

    /** A predicate that passes every flow. */
    public static final Predicate<Flow> ALL = f -> true;

    private static final Pattern NODE_GLOB = Pattern.compile("[A-Za-z0-9*._/-]+");

    public static Predicate<Flow> compile(List<FlowFilter> whitelist, List<FlowFilter> blacklist)
            throws FilterException {
        List<Predicate<Flow>> white = new ArrayList<>();
        for (FlowFilter f : whitelist) {
            white.add(compile(f));
        }
        List<Predicate<Flow>> black = new ArrayList<>();
        for (FlowFilter f : blacklist) {
            black.add(compile(f));
        }
        if (white.isEmpty() && black.isEmpty()) {
            return ALL;
        }
        return flow -> {
            for (Predicate<Flow> b : black) {
                if (b.test(flow)) {
                    return false;
                }
            }
            if (white.isEmpty()) {
                return true;
            }
            for (Predicate<Flow> w : white) {
                if (w.test(flow)) {
                    return true;
                }
            }
            return false;
        };
    }

    /** One FlowFilter: every set field must match. */
    public static Predicate<Flow> compile(FlowFilter f) throws FilterException {
        rejectUnsupported(f);
        List<Predicate<Flow>> all = new ArrayList<>();
        add(all, ips("source_ip", f.getSourceIpList(), fl -> fl.getIP().getSource()));
        add(all, ips("destination_ip", f.getDestinationIpList(), fl -> fl.getIP().getDestination()));
        add(all, pods("source_pod", f.getSourcePodList(), Flow::getSource));
        add(all, pods("destination_pod", f.getDestinationPodList(), Flow::getDestination));
        add(all, labels("source_label", f.getSourceLabelList(), Flow::getSource));
        add(all, labels("destination_label", f.getDestinationLabelList(), Flow::getDestination));
        add(all, services("source_service", f.getSourceServiceList(), true));
        add(all, services("destination_service", f.getDestinationServiceList(), false));
        add(all, workloads(f.getSourceWorkloadList(), Flow::getSource));
        add(all, workloads(f.getDestinationWorkloadList(), Flow::getDestination));
        add(all, verdicts(f.getVerdictList()));
        add(all, eventTypes(f.getEventTypeList()));
        add(all, protocols(f.getProtocolList()));
        add(all, ports("source_port", f.getSourcePortList(), true));
        add(all, ports("destination_port", f.getDestinationPortList(), false));
        add(all, replies(f.getReplyList()));
        add(all, identities(f.getSourceIdentityList(), Flow::getSource));
        add(all, identities(f.getDestinationIdentityList(), Flow::getDestination));
        add(all, tcpFlags(f.getTcpFlagsList()));
        add(all, nodeNames(f.getNodeNameList()));
        add(all, ipVersions(f.getIpVersionList()));
        if (all.isEmpty()) {
            return ALL;
        }
        Predicate<Flow>[] arr = all.toArray(new Predicate[0]);
        return flow -> {
            for (Predicate<Flow> p : arr) {
                if (!p.test(flow)) {
                    return false;
                }
            }
            return true;
        };
    }

    private static void add(List<Predicate<Flow>> all, Predicate<Flow> p) {
        if (p != null) {
            all.add(p);
        }
    }

    private static void rejectUnsupported(FlowFilter f) throws FilterException {
        unsupported("source_fqdn", f.getSourceFqdnCount(), "flows has no DNS visibility");
        unsupported("destination_fqdn", f.getDestinationFqdnCount(), "flows has no DNS visibility");
        unsupported("dns_query", f.getDnsQueryCount(), "flows has no DNS visibility");
        unsupported("http_status_code", f.getHttpStatusCodeCount(), "flows has no HTTP (L7) visibility");
        unsupported("http_method", f.getHttpMethodCount(), "flows has no HTTP (L7) visibility");
        unsupported("http_path", f.getHttpPathCount(), "flows has no HTTP (L7) visibility");
        unsupported("trace_id", f.getTraceIdCount(), "flows does not read trace context from packets");
    }

    private static void unsupported(String field, int count, String why) throws FilterException {
        if (count > 0) {
            throw new FilterException("filter field " + field + " is not supported: " + why);
        }
    }

    private static Predicate<Flow> ips(String field, List<String> values, Function<Flow, String> get)
            throws FilterException {
        if (values.isEmpty()) {
            return null;
        }
        Set<String> exact = new HashSet<>();
        List<Cidr> cidrs = new ArrayList<>();
        for (String v : values) {
            Cidr c = Cidr.parse(v.trim());
            if (c == null) {
                throw FilterException.bad(field, v, "use an IP address or a CIDR (e.g. 10.244.1.5, 10.244.0.0/16, fd00::/64)");
            }
            if (c.isSingleAddress() && v.indexOf('/') < 0) {
                exact.add(dev.flows.observer.net.Addresses.format(dev.flows.observer.net.Addresses.parseIp(v.trim())));
            } else {
                cidrs.add(c);
            }
        }
        return flow -> {
            String ip = get.apply(flow);
            if (ip.isEmpty()) {
                return false;
            }
            if (exact.contains(ip)) {
                return true;
            }
            for (Cidr c : cidrs) {
                if (c.contains(ip)) {
                    return true;
                }
            }
            return false;
        };
    }

    /** "ns/name-prefix"; "ns/" selects the namespace; a bare value is a pod prefix in "default". */
    private static Predicate<Flow> pods(String field, List<String> values, Function<Flow, Endpoint> get)
            throws FilterException {
        if (values.isEmpty()) {
            return null;
        }
        List<String[]> nsPrefix = new ArrayList<>();
        for (String v : values) {
            nsPrefix.add(namespaced(field, v, "a pod as \"namespace/name-prefix\" or a namespace as \"namespace/\""));
        }
        return flow -> {
            Endpoint e = get.apply(flow);
            if (e.getPodName().isEmpty()) {
                return false;
            }
            for (String[] np : nsPrefix) {
                if (e.getNamespace().equals(np[0]) && e.getPodName().startsWith(np[1])) {
                    return true;
                }
            }
            return false;
        };
    }

    private static String[] namespaced(String field, String v, String valid) throws FilterException {
        String s = v.trim();
        if (s.isEmpty() || s.indexOf('/') != s.lastIndexOf('/') || s.startsWith("/")) {
            throw FilterException.bad(field, v, valid);
        }
        int slash = s.indexOf('/');
        return slash < 0 ? new String[] {"default", s} : new String[] {s.substring(0, slash), s.substring(slash + 1)};
    }

    private static Predicate<Flow> labels(String field, List<String> values, Function<Flow, Endpoint> get)
            throws FilterException {
        if (values.isEmpty()) {
            return null;
        }
        List<Predicate<List<String>>> selectors = new ArrayList<>();
        for (String v : values) {
            selectors.add(LabelSelector.compile(field, v));
        }
        return flow -> {
            List<String> labels = get.apply(flow).getLabelsList();
            for (Predicate<List<String>> s : selectors) {
                if (s.test(labels)) {
                    return true;
                }
            }
            return false;
        };
    }

    private static Predicate<Flow> services(String field, List<String> values, boolean source)
            throws FilterException {
        if (values.isEmpty()) {
            return null;
        }
        List<String[]> nsPrefix = new ArrayList<>();
        for (String v : values) {
            nsPrefix.add(namespaced(field, v, "a service as \"namespace/name-prefix\" or \"namespace/\""));
        }
        return flow -> {
            dev.flows.proto.flow.Service s = source ? flow.getSourceService() : flow.getDestinationService();
            if (s.getName().isEmpty()) {
                return false;
            }
            for (String[] np : nsPrefix) {
                if (s.getNamespace().equals(np[0]) && s.getName().startsWith(np[1])) {
                    return true;
                }
            }
            return false;
        };
    }

    /** A workload matches on name and kind; an empty name or kind in the filter matches any. */
    private static Predicate<Flow> workloads(List<Workload> values, Function<Flow, Endpoint> get) {
        if (values.isEmpty()) {
            return null;
        }
        List<Workload> wanted = List.copyOf(values);
        return flow -> {
            for (Workload have : get.apply(flow).getWorkloadsList()) {
                for (Workload w : wanted) {
                    if ((w.getName().isEmpty() || w.getName().equals(have.getName()))
                            && (w.getKind().isEmpty() || w.getKind().equals(have.getKind()))) {
                        return true;
                    }
                }
            }
            return false;
        };
    }

    private static Predicate<Flow> verdicts(List<Verdict> values) throws FilterException {
        if (values.isEmpty()) {
            return null;
        }
        EnumSet<Verdict> set = EnumSet.noneOf(Verdict.class);
        for (Verdict v : values) {
            if (v == Verdict.UNRECOGNIZED) {
                throw FilterException.bad("verdict", v, "use one of FORWARDED, DROPPED, ERROR, AUDIT, REDIRECTED, TRACED, TRANSLATED");
            }
            set.add(v);
        }
        return flow -> set.contains(flow.getVerdict());
    }

    private static Predicate<Flow> eventTypes(List<EventTypeFilter> values) {
        if (values.isEmpty()) {
            return null;
        }
        List<EventTypeFilter> wanted = List.copyOf(values);
        return flow -> {
            if (!flow.hasEventType()) {
                return false;
            }
            for (EventTypeFilter t : wanted) {
                if (t.getType() == flow.getEventType().getType()
                        && (!t.getMatchSubType() || t.getSubType() == flow.getEventType().getSubType())) {
                    return true;
                }
            }
            return false;
        };
    }

    private static Predicate<Flow> protocols(List<String> values) throws FilterException {
        if (values.isEmpty()) {
            return null;
        }
        EnumSet<Layer4.ProtocolCase> set = EnumSet.noneOf(Layer4.ProtocolCase.class);
        for (String v : values) {
            switch (v.trim().toLowerCase(Locale.ROOT)) {
                case "tcp": set.add(Layer4.ProtocolCase.TCP); break;
                case "udp": set.add(Layer4.ProtocolCase.UDP); break;
                case "sctp": set.add(Layer4.ProtocolCase.SCTP); break;
                case "icmp":
                    set.add(Layer4.ProtocolCase.ICMPV4);
                    set.add(Layer4.ProtocolCase.ICMPV6);
                    break;
                case "icmpv4": set.add(Layer4.ProtocolCase.ICMPV4); break;
                case "icmpv6": set.add(Layer4.ProtocolCase.ICMPV6); break;
                default:
                    throw FilterException.bad("protocol", v, "use one of tcp, udp, sctp, icmp, icmpv4, icmpv6 (flows has no L7 protocols)");
            }
        }
        return flow -> set.contains(flow.getL4().getProtocolCase());
    }

    private static Predicate<Flow> ports(String field, List<String> values, boolean source) throws FilterException {
        if (values.isEmpty()) {
            return null;
        }
        Set<Integer> set = new HashSet<>();
        for (String v : values) {
            String s = v.trim();
            int port = -1;
            if (!s.isEmpty() && s.length() <= 5 && s.chars().allMatch(Character::isDigit)) {
                port = Integer.parseInt(s);
            }
            if (port < 0 || port > 65535) {
                throw FilterException.bad(field, v, "use a port number from 0 to 65535");
            }
            set.add(port);
        }
        return flow -> {
            Layer4 l4 = flow.getL4();
            int p;
            switch (l4.getProtocolCase()) {
                case TCP: p = source ? l4.getTCP().getSourcePort() : l4.getTCP().getDestinationPort(); break;
                case UDP: p = source ? l4.getUDP().getSourcePort() : l4.getUDP().getDestinationPort(); break;
                case SCTP: p = source ? l4.getSCTP().getSourcePort() : l4.getSCTP().getDestinationPort(); break;
                default: return false;
            }
            return set.contains(p);
        };
    }

    /** A flow whose direction is unknown (is_reply unset) matches neither true nor false, as in Hubble. */
    private static Predicate<Flow> replies(List<Boolean> values) {
        if (values.isEmpty()) {
            return null;
        }
        boolean wantTrue = values.contains(Boolean.TRUE);
        boolean wantFalse = values.contains(Boolean.FALSE);
        return flow -> flow.hasIsReply() && (flow.getIsReply().getValue() ? wantTrue : wantFalse);
    }

    private static Predicate<Flow> identities(List<Integer> values, Function<Flow, Endpoint> get) {
        if (values.isEmpty()) {
            return null;
        }
        Set<Integer> set = new HashSet<>(values);
        return flow -> set.contains(get.apply(flow).getIdentity());
    }

    /** A flow matches when it has every flag set in one of the given TCPFlags. */
    private static Predicate<Flow> tcpFlags(List<TCPFlags> values) throws FilterException {
        if (values.isEmpty()) {
            return null;
        }
        int[] masks = new int[values.size()];
        for (int i = 0; i < masks.length; i++) {
            masks[i] = Summaries.flagByte(values.get(i));
            if (masks[i] == 0) {
                throw FilterException.bad("tcp_flags", values.get(i).toString().replace('\n', ' ').trim(),
                        "set at least one of FIN, SYN, RST, PSH, ACK, URG, ECE, CWR (NS is not observed)");
            }
        }
        return flow -> {
            if (flow.getL4().getProtocolCase() != Layer4.ProtocolCase.TCP) {
                return false;
            }
            int have = Summaries.flagByte(flow.getL4().getTCP().getFlags());
            for (int m : masks) {
                if ((have & m) == m) {
                    return true;
                }
            }
            return false;
        };
    }

    /** Node names or globs ("node-*"); "*" matches any run of characters except "/". */
    private static Predicate<Flow> nodeNames(List<String> values) throws FilterException {
        if (values.isEmpty()) {
            return null;
        }
        List<Pattern> patterns = new ArrayList<>();
        for (String v : values) {
            String s = v.trim();
            if (!NODE_GLOB.matcher(s).matches()) {
                throw FilterException.bad("node_name", v, "use a node name or a glob like \"node-*\" (letters, digits, . _ - / *)");
            }
            patterns.add(Pattern.compile(globToRegex(s)));
        }
        return flow -> {
            String n = flow.getNodeName();
            for (Pattern p : patterns) {
                if (p.matcher(n).matches()) {
                    return true;
                }
            }
            return false;
        };
    }

    private static String globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        String[] parts = glob.split("\\*", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                re.append("[^/]*");
            }
            re.append(Pattern.quote(parts[i]));
        }
        return re.toString();
    }

    private static Predicate<Flow> ipVersions(List<IPVersion> values) throws FilterException {
        if (values.isEmpty()) {
            return null;
        }
        EnumSet<IPVersion> set = EnumSet.noneOf(IPVersion.class);
        for (IPVersion v : values) {
            if (v == IPVersion.UNRECOGNIZED) {
                throw FilterException.bad("ip_version", v, "use IPv4 or IPv6");
            }
            set.add(v);
        }
        return flow -> flow.hasIP() && set.contains(flow.getIP().getIpVersion());
    }
}
