package dev.flows.cli;

import dev.flows.observer.events.ObservationPoint;
import dev.flows.observer.events.ReservedIdentity;
import com.google.protobuf.Timestamp;
import dev.flows.proto.flow.EventTypeFilter;
import dev.flows.proto.flow.FlowFilter;
import dev.flows.proto.flow.IPVersion;
import dev.flows.proto.flow.TCPFlags;
import dev.flows.proto.flow.Verdict;
import dev.flows.proto.flow.Workload;
import dev.flows.proto.observer.GetFlowsRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns observe's flags into the GetFlowsRequest the Hubble CLI would send (the server does all
 * filtering, shared/spec/hubble-client-behaviour.md):
 *
 * <ul>
 *   <li>Flags accumulate into one whitelist filter set and one blacklist set ({@code --not}
 *       sends the next flag to the blacklist). A set is a pair (left, right): bidirectional
 *       flags ({@code --pod}, {@code --ip}, {@code --port}, {@code --label}, {@code --namespace})
 *       put their source field in left and destination field in right; the others go to both.
 *       Equal halves collapse into one filter, as in Hubble's filter tracker.
 *   <li>{@code --last N}: number=N; {@code --first N}: first, number=N; {@code --all}:
 *       number=2^64-1; plain observe: number=20.
 * </ul>
 */
public final class RequestBuilder {
    static final int DEFAULT_LAST = 20;
    static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "sctp", "icmp", "icmpv4", "icmpv6", "http", "dns", "kafka");
    /** Event type names of Hubble's --type: all of Hubble's CiliumEventType, of which observer.events.EventType is what our datapath writes. */
    static final Map<String, Integer> TYPES = new LinkedHashMap<>();
    /** Trace sub-types (observation points) in wire order, as Hubble names them. */
    static final List<String> TRACE_SUBTYPES = java.util.Arrays.stream(ObservationPoint.values()).map(ObservationPoint::text).toList();

    static {
        TYPES.put("drop", 1);
        TYPES.put("debug", 2);
        TYPES.put("capture", 3);
        TYPES.put("trace", 4);
        TYPES.put("policy-verdict", 5);
        TYPES.put("trace-sock", 7);
        TYPES.put("l7", 129);
    }

    /** TCP flags flows observes (NS is not). */
    static final List<String> TCP_FLAGS = List.of("FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR");


    private final Clock clock;

    public RequestBuilder(Clock clock) {
        this.clock = clock;
    }

    public GetFlowsRequest build(List<FilterFlag> flags, Selection sel) {
        GetFlowsRequest.Builder req = GetFlowsRequest.newBuilder();
        Tracker white = new Tracker();
        Tracker black = new Tracker();
        for (FilterFlag f : flags) {
            apply(f, f.negated() ? black : white);
        }
        req.addAllWhitelist(white.filters());
        req.addAllBlacklist(black.filters());
        selection(sel, req);
        return req.build();
    }

    private void selection(Selection sel, GetFlowsRequest.Builder req) {
        if (sel.first() != null && sel.last() != null) {
            throw new FlagException("--first and --last cannot be used together");
        }
        if (sel.all() && (sel.first() != null || sel.last() != null)) {
            throw new FlagException("--all cannot be used with --first or --last");
        }
        if (sel.first() != null) {
            req.setFirst(true).setNumber(sel.first());
        } else if (sel.last() != null) {
            req.setNumber(sel.last());
        } else if (sel.all()) {
            req.setNumber(-1L); // 2^64-1 as an unsigned uint64
        } else if (!sel.follow() && sel.since() == null && sel.until() == null) {
            req.setNumber(DEFAULT_LAST);
        }
        req.setFollow(sel.follow());
        if (sel.since() != null) {
            req.setSince(timestamp(sel.since()));
        }
        if (sel.until() != null) {
            req.setUntil(timestamp(sel.until()));
        }
    }

    /** --since and --until as the request carries them; a relative one counts back from this builder's clock. */
    private Timestamp timestamp(Selection.When when) {
        Instant t = when.resolve(clock);
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    private void apply(FilterFlag f, Tracker t) {
        String v = f.value();
        switch (f.flag()) {
            case "--pod" -> t.pair(b -> b.addSourcePod(pod(v)), b -> b.addDestinationPod(pod(v)));
            case "--from-pod" -> t.both(b -> b.addSourcePod(pod(v)));
            case "--to-pod" -> t.both(b -> b.addDestinationPod(pod(v)));
            case "--namespace" -> {
                String prefix = namespace(f.flag(), v) + "/";
                t.pair(b -> b.addSourcePod(prefix), b -> b.addDestinationPod(prefix));
            }
            case "--from-namespace" -> {
                String prefix = namespace(f.flag(), v) + "/";
                t.both(b -> b.addSourcePod(prefix));
            }
            case "--to-namespace" -> {
                String prefix = namespace(f.flag(), v) + "/";
                t.both(b -> b.addDestinationPod(prefix));
            }
            case "--ip" -> t.pair(b -> b.addSourceIp(ip(f.flag(), v)), b -> b.addDestinationIp(ip(f.flag(), v)));
            case "--from-ip" -> t.both(b -> b.addSourceIp(ip(f.flag(), v)));
            case "--to-ip" -> t.both(b -> b.addDestinationIp(ip(f.flag(), v)));
            case "--port" -> t.pair(b -> b.addSourcePort(port(f.flag(), v)), b -> b.addDestinationPort(port(f.flag(), v)));
            case "--from-port" -> t.both(b -> b.addSourcePort(port(f.flag(), v)));
            case "--to-port" -> t.both(b -> b.addDestinationPort(port(f.flag(), v)));
            case "--label" -> t.pair(b -> b.addSourceLabel(label(f.flag(), v)), b -> b.addDestinationLabel(label(f.flag(), v)));
            case "--from-label" -> t.both(b -> b.addSourceLabel(label(f.flag(), v)));
            case "--to-label" -> t.both(b -> b.addDestinationLabel(label(f.flag(), v)));
            case "--service" -> t.pair(b -> b.addSourceService(service(f.flag(), v)), b -> b.addDestinationService(service(f.flag(), v)));
            case "--from-service" -> t.both(b -> b.addSourceService(service(f.flag(), v)));
            case "--to-service" -> t.both(b -> b.addDestinationService(service(f.flag(), v)));
            case "--identity" -> t.pair(b -> b.addSourceIdentity(identity(f.flag(), v)), b -> b.addDestinationIdentity(identity(f.flag(), v)));
            case "--from-identity" -> t.both(b -> b.addSourceIdentity(identity(f.flag(), v)));
            case "--to-identity" -> t.both(b -> b.addDestinationIdentity(identity(f.flag(), v)));
            case "--workload" -> t.pair(b -> b.addSourceWorkload(workload(f.flag(), v)), b -> b.addDestinationWorkload(workload(f.flag(), v)));
            case "--from-workload" -> t.both(b -> b.addSourceWorkload(workload(f.flag(), v)));
            case "--to-workload" -> t.both(b -> b.addDestinationWorkload(workload(f.flag(), v)));
            case "--tcp-flags" -> t.both(b -> b.addTcpFlags(tcpFlags(v)));
            case "--ip-version" -> t.both(b -> b.addIpVersion(ipVersion(v)));
            case "--protocol" -> t.both(b -> b.addProtocol(protocol(v)));
            case "--verdict" -> t.both(b -> b.addVerdict(verdict(v)));
            case "--node-name" -> t.both(b -> b.addNodeName(nonEmpty(f.flag(), v, "a node name or pattern")));
            case "--type" -> t.both(b -> b.addEventType(type(v)));
            default -> throw new FlagException("unknown filter flag " + f.flag());
        }
    }

    /** "ns/pod" as is, a bare "pod" means "default/pod" (Hubble); values are prefixes. */
    static String pod(String v) {
        nonEmpty("--pod", v, "a pod name, namespace/pod, or a prefix of one");
        return v.contains("/") ? v : "default/" + v;
    }

    private static String namespace(String flag, String v) {
        if (!v.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
            throw new FlagException(flag, v, "a Kubernetes namespace name (lowercase letters, digits and '-')");
        }
        return v;
    }

    static String ip(String flag, String v) {
        String[] parts = v.split("/", -1);
        boolean ok = parts.length <= 2 && (parts[0].matches("\\d{1,3}(\\.\\d{1,3}){3}") || parts[0].contains(":"));
        if (ok) {
            try {
                byte[] addr = InetAddress.getByName(parts[0]).getAddress();
                if (parts.length == 2) {
                    ok = parts[1].matches("\\d{1,3}") && Integer.parseInt(parts[1]) <= addr.length * 8;
                }
                ok = ok && (addr.length == 16 || Arrays.stream(parts[0].split("\\.")).allMatch(o -> Integer.parseInt(o) <= 255));
            } catch (UnknownHostException | RuntimeException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new FlagException(flag, v, "an IP address or CIDR (10.244.1.5, 10.244.0.0/16, fd00::1)");
        }
        return v;
    }

    static String port(String flag, String v) {
        if (!v.matches("\\d{1,5}") || Integer.parseInt(v) > 65535) {
            throw new FlagException(flag, v, "a port number 0-65535");
        }
        return Integer.toString(Integer.parseInt(v));
    }

    /** "ns/name" as is, a bare "name" means "default/name" (as for pods); values are prefixes. */
    static String service(String flag, String v) {
        if (v == null || !v.matches("[^/\\s]+(/[^/\\s]*)?")) {
            throw new FlagException(flag, v == null ? "" : v, "a service name, namespace/name, or a prefix of one");
        }
        return v.contains("/") ? v : "default/" + v;
    }

    /** A numeric identity or a reserved one by name (world, host, ...; also reserved:world). */
    static int identity(String flag, String v) {
        String name = v.startsWith("reserved:") ? v.substring("reserved:".length()) : v;
        for (ReservedIdentity r : ReservedIdentity.values()) {
            if (r != ReservedIdentity.UNKNOWN && r.text().equals(name)) {
                return r.id();
            }
        }
        if (v.matches("\\d{1,10}") && Long.parseLong(v) <= 0xFFFF_FFFFL) {
            return (int) Long.parseLong(v);
        }
        throw new FlagException(flag, v, "a numeric security identity (0-4294967295) or a reserved one: "
                + String.join(", ", new java.util.TreeSet<>(java.util.Arrays.stream(ReservedIdentity.values())
                        .filter(r -> r != ReservedIdentity.UNKNOWN).map(ReservedIdentity::text).toList())));
    }

    /** "kind/name" or "name" (any kind). */
    static Workload workload(String flag, String v) {
        if (v == null || !v.matches("([A-Za-z][A-Za-z0-9]*/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
            throw new FlagException(flag, v == null ? "" : v, "a workload as KIND/NAME (Deployment/cart) or NAME");
        }
        int slash = v.indexOf('/');
        return slash < 0 ? Workload.newBuilder().setName(v).build()
                : Workload.newBuilder().setKind(v.substring(0, slash)).setName(v.substring(slash + 1)).build();
    }

    /** Comma-separated flag names, all of which must be set on a matching flow. */
    static TCPFlags tcpFlags(String v) {
        TCPFlags.Builder b = TCPFlags.newBuilder();
        String valid = "comma-separated TCP flags among " + String.join(", ", TCP_FLAGS) + " (e.g. SYN or SYN,ACK)";
        if (v == null || v.isBlank()) {
            throw new FlagException("--tcp-flags", v == null ? "" : v, valid);
        }
        for (String flag : v.split(",", -1)) {
            switch (flag.strip().toUpperCase(Locale.ROOT)) {
                case "FIN" -> b.setFIN(true);
                case "SYN" -> b.setSYN(true);
                case "RST" -> b.setRST(true);
                case "PSH" -> b.setPSH(true);
                case "ACK" -> b.setACK(true);
                case "URG" -> b.setURG(true);
                case "ECE" -> b.setECE(true);
                case "CWR" -> b.setCWR(true);
                default -> throw new FlagException("--tcp-flags", v, valid);
            }
        }
        return b.build();
    }

    static IPVersion ipVersion(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "4", "v4", "ipv4" -> IPVersion.IPv4;
            case "6", "v6", "ipv6" -> IPVersion.IPv6;
            default -> throw new FlagException("--ip-version", v, "4 or 6 (also v4, ipv4, v6, ipv6)");
        };
    }

    private static String label(String flag, String v) {
        return nonEmpty(flag, v, "a label selector such as app=cart or k8s:app=cart");
    }

    static String protocol(String v) {
        String p = v.toLowerCase(Locale.ROOT);
        if (!PROTOCOLS.contains(p)) {
            throw new FlagException("--protocol", v, "one of " + String.join(", ", PROTOCOLS.stream().sorted().toList()));
        }
        return p;
    }

    static Verdict verdict(String v) {
        try {
            Verdict verdict = Verdict.valueOf(v.toUpperCase(Locale.ROOT));
            if (verdict != Verdict.VERDICT_UNKNOWN && verdict != Verdict.UNRECOGNIZED) {
                return verdict;
            }
        } catch (IllegalArgumentException e) {
            // fall through to the message
        }
        List<String> valid = new ArrayList<>();
        for (Verdict x : Verdict.values()) {
            if (x != Verdict.VERDICT_UNKNOWN && x != Verdict.UNRECOGNIZED) {
                valid.add(x.name());
            }
        }
        throw new FlagException("--verdict", v, "one of " + String.join(", ", valid));
    }

    static EventTypeFilter type(String v) {
        String[] parts = v.toLowerCase(Locale.ROOT).split(":", 2);
        Integer type = TYPES.get(parts[0]);
        if (type == null) {
            throw new FlagException("--type", v, "TYPE[:SUBTYPE] with TYPE one of " + String.join(", ", TYPES.keySet())
                    + " (SUBTYPE for trace: " + String.join(", ", TRACE_SUBTYPES) + ")");
        }
        EventTypeFilter.Builder b = EventTypeFilter.newBuilder().setType(type);
        if (parts.length == 2) {
            int sub = type == 4 ? TRACE_SUBTYPES.indexOf(parts[1]) : -1;
            if (sub < 0) {
                throw new FlagException("--type", v, type == 4 ? "trace:SUBTYPE with SUBTYPE one of " + String.join(", ", TRACE_SUBTYPES)
                        : parts[0] + " without a sub-type (only trace has sub-types)");
            }
            b.setMatchSubType(true).setSubType(sub);
        }
        return b.build();
    }

    private static String nonEmpty(String flag, String v, String valid) {
        if (v == null || v.isBlank()) {
            throw new FlagException(flag, v == null ? "" : v, valid);
        }
        return v;
    }

    /** Hubble's filter tracker: the filters are "left OR right". */
    private static final class Tracker {
        private FlowFilter.Builder left;
        private FlowFilter.Builder right;

        void pair(Consumer<FlowFilter.Builder> l, Consumer<FlowFilter.Builder> r) {
            l.accept(left());
            r.accept(right());
        }

        void both(Consumer<FlowFilter.Builder> u) {
            u.accept(left());
            u.accept(right());
        }

        private FlowFilter.Builder left() {
            if (left == null) {
                left = FlowFilter.newBuilder();
            }
            return left;
        }

        private FlowFilter.Builder right() {
            if (right == null) {
                right = FlowFilter.newBuilder();
            }
            return right;
        }

        List<FlowFilter> filters() {
            List<FlowFilter> out = new ArrayList<>();
            if (left != null) {
                out.add(left.build());
            }
            if (right != null && (left == null || !right.build().equals(left.build()))) {
                out.add(right.build());
            }
            return out;
        }
    }
}
