package dev.flows.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.LostEvent;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.relay.NodeStatusEvent;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints GetFlowsResponses as the Hubble CLI does: compact (one line per flow,
 * {@code TIME: SRC -> DST TYPE VERDICT (SUMMARY)}) or JSON (one line of protobuf JSON with proto
 * field names per response; json and jsonpb are the same here).
 */
public final class FlowPrinter {
    /** Output formats observe accepts. */
    public static final List<String> FORMATS = List.of("compact", "json", "jsonpb");

    // Hubble's reserved identities print by name; keep in sync with collector enrich's identities.
    static final Map<Integer, String> RESERVED_IDENTITIES = Map.of(
            1, "host", 2, "world", 3, "unmanaged", 4, "health", 5, "init",
            6, "remote-node", 7, "kube-apiserver", 8, "ingress", 9, "world-ipv4", 10, "world-ipv6");
    // Cilium's drop reason texts (pkg/monitor/api/drop.go) for the reasons flows produces.
    static final Map<Integer, String> DROP_REASONS = Map.ofEntries(
            Map.entry(130, "Invalid source mac"), Map.entry(131, "Invalid destination mac"),
            Map.entry(132, "Invalid source ip"), Map.entry(133, "Policy denied"),
            Map.entry(134, "Invalid packet"), Map.entry(135, "CT: Truncated or invalid header"),
            Map.entry(136, "CT: Missing TCP ACK flag"), Map.entry(137, "CT: Unknown L4 protocol"),
            Map.entry(138, "CT: Can't create entry from packet"), Map.entry(139, "Unsupported L3 protocol"),
            Map.entry(142, "Unknown L4 protocol"), Map.entry(151, "Stale or unroutable IP"),
            Map.entry(155, "CT: Map insertion failed"), Map.entry(158, "Service backend not found"),
            Map.entry(169, "FIB lookup failed"), Map.entry(181, "Policy denied by denylist"),
            Map.entry(196, "TTL exceeded"));
    static final List<String> POLICY_MATCH = List.of("none", "L3-Only", "L3-L4", "L4-Only", "all");

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss.SSS", Locale.US);

    private final String format;
    private final ZoneId zone;
    private final JsonFormat.Printer json =
            JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

    public FlowPrinter(String format, ZoneId zone) {
        if (!FORMATS.contains(format)) {
            throw new FlagException("--output", format, "one of " + String.join(", ", FORMATS));
        }
        this.format = format;
        this.zone = zone;
    }

    /** One line, without the newline. */
    public String line(GetFlowsResponse r) {
        if (!format.equals("compact")) {
            try {
                return json.print(r);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("cannot print response as JSON", e);
            }
        }
        return switch (r.getResponseTypesCase()) {
            case FLOW -> compact(r.getFlow());
            case LOST_EVENTS -> lost(r.getLostEvents());
            case NODE_STATUS -> nodeStatus(r.getNodeStatus());
            default -> "unknown response type: " + r.getResponseTypesCase();
        };
    }

    String compact(Flow f) {
        String src = endpoint(f.getSource(), f.getIP().getSource(), f.getSourceService(), f.getSourceNamesList(), srcPort(f));
        String dst = endpoint(f.getDestination(), f.getIP().getDestination(), f.getDestinationService(), f.getDestinationNamesList(), dstPort(f));
        String arrow = "->";
        if (!f.hasIsReply()) {
            arrow = "<>";
        } else if (f.getIsReply().getValue()) {
            String t = src;
            src = dst;
            dst = t;
            arrow = "<-";
        }
        String summary = f.getSummary().isEmpty() ? "" : f.getSummary();
        return time(f) + ": " + src + " " + arrow + " " + dst + " " + type(f) + " " + f.getVerdict().name() + " (" + summary + ")";
    }

    private String time(Flow f) {
        if (!f.hasTime()) {
            return "N/A";
        }
        return TIME.format(Instant.ofEpochSecond(f.getTime().getSeconds(), f.getTime().getNanos()).atZone(zone));
    }

    private static String endpoint(Endpoint ep, String ip, dev.flows.proto.flow.Service svc, List<String> names, int port) {
        String host;
        if (!ep.getPodName().isEmpty()) {
            host = ep.getNamespace() + "/" + ep.getPodName();
        } else if (!svc.getName().isEmpty()) {
            host = svc.getNamespace() + "/" + svc.getName();
        } else if (!names.isEmpty()) {
            host = String.join(",", names);
        } else {
            host = ip.isEmpty() ? "N/A" : ip;
        }
        if (port != 0) {
            host = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }
        String reserved = RESERVED_IDENTITIES.get(ep.getIdentity());
        return host + " " + (reserved != null ? "(" + reserved + ")" : "(ID:" + Integer.toUnsignedString(ep.getIdentity()) + ")");
    }

    private static int srcPort(Flow f) {
        var l4 = f.getL4();
        return l4.hasTCP() ? l4.getTCP().getSourcePort() : l4.hasUDP() ? l4.getUDP().getSourcePort()
                : l4.hasSCTP() ? l4.getSCTP().getSourcePort() : 0;
    }

    private static int dstPort(Flow f) {
        var l4 = f.getL4();
        return l4.hasTCP() ? l4.getTCP().getDestinationPort() : l4.hasUDP() ? l4.getUDP().getDestinationPort()
                : l4.hasSCTP() ? l4.getSCTP().getDestinationPort() : 0;
    }

    /** The TYPE column from event_type, as the Hubble CLI names it. */
    static String type(Flow f) {
        if (!f.hasEventType()) {
            return "UNKNOWN";
        }
        int sub = f.getEventType().getSubType();
        return switch (f.getEventType().getType()) {
            case 4 -> sub >= 0 && sub < RequestBuilder.TRACE_SUBTYPES.size() ? RequestBuilder.TRACE_SUBTYPES.get(sub) : "trace:" + sub;
            case 1 -> dropReason(sub);
            case 5 -> "policy-verdict:" + (f.getPolicyMatchType() < POLICY_MATCH.size() ? POLICY_MATCH.get(f.getPolicyMatchType())
                    : Integer.toString(f.getPolicyMatchType())) + " " + f.getTrafficDirection().name();
            case 7 -> "trace-sock";
            case 129 -> "l7";
            default -> "UNKNOWN";
        };
    }

    private static String dropReason(int code) {
        String text = DROP_REASONS.get(code);
        if (text != null) {
            return text;
        }
        DropReason r = DropReason.forNumber(code);
        return r != null ? r.name() : Integer.toString(code);
    }

    private static String lost(LostEvent e) {
        return "EVENTS LOST: " + e.getSource().name() + (e.hasCpu() ? " CPU(" + e.getCpu().getValue() + ")" : "") + " " + Long.toUnsignedString(e.getNumEventsLost());
    }

    private static String nodeStatus(NodeStatusEvent s) {
        int n = s.getNodeNamesCount();
        String nodes = String.join(", ", s.getNodeNamesList());
        String plural = n == 1 ? "1 node is" : n + " nodes are";
        String msg = s.getMessage().isEmpty() ? "" : " (" + s.getMessage() + ")";
        return switch (s.getStateChange()) {
            case NODE_CONNECTED -> plural + " connected: " + nodes;
            case NODE_UNAVAILABLE -> plural + " unavailable: " + nodes;
            case NODE_GONE -> plural + " gone: " + nodes;
            case NODE_ERROR -> "node error: " + nodes + msg;
            default -> "node status " + s.getStateChange() + ": " + nodes + msg;
        };
    }
}
