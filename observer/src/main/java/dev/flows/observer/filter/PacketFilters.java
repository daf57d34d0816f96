package dev.flows.observer.filter;

import dev.flows.observer.events.Summaries;
import dev.flows.proto.flow.EventTypeFilter;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.IPVersion;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.TCPFlags;
import dev.flows.proto.flow.Verdict;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** The filter fields about the flow itself: verdict, event type, protocol, ports, direction, TCP flags, node, IP version. */
final class PacketFilters {
    private static final Pattern NODE_GLOB = Pattern.compile("[A-Za-z0-9*._/-]+");

    private PacketFilters() {}

    static Predicate<Flow> verdicts(List<Verdict> values) throws FilterException {
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

    static Predicate<Flow> eventTypes(List<EventTypeFilter> values) {
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

    static Predicate<Flow> protocols(List<String> values) throws FilterException {
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

    static Predicate<Flow> ports(String field, List<String> values, boolean source) throws FilterException {
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
    static Predicate<Flow> replies(List<Boolean> values) {
        if (values.isEmpty()) {
            return null;
        }
        boolean wantTrue = values.contains(Boolean.TRUE);
        boolean wantFalse = values.contains(Boolean.FALSE);
        return flow -> flow.hasIsReply() && (flow.getIsReply().getValue() ? wantTrue : wantFalse);
    }

    /** A flow matches when it has every flag set in one of the given TCPFlags. */
    static Predicate<Flow> tcpFlags(List<TCPFlags> values) throws FilterException {
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
    static Predicate<Flow> nodeNames(List<String> values) throws FilterException {
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

    static Predicate<Flow> ipVersions(List<IPVersion> values) throws FilterException {
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
