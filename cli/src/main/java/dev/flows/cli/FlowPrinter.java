package dev.flows.cli;

import dev.flows.observer.config.LowerCaseEnum;
import dev.flows.observer.events.DropReasons;
import dev.flows.observer.events.ObservationPoint;
import dev.flows.observer.events.PolicyMatch;
import dev.flows.observer.events.ReservedIdentity;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.LostEvent;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.relay.NodeStatusEvent;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints GetFlowsResponses in the Hubble CLI's formats:
 *
 * <ul>
 *   <li>compact: one line per flow, {@code TIME [NODE]: SRC (ID) -> DST (ID) TYPE VERDICT (SUMMARY)},
 *       replies printed with the ends swapped and {@code <-};
 *   <li>dict: one block of {@code KEY: value} lines per flow, blocks separated by a dashed line;
 *   <li>table: a header, then one aligned row per flow (never colored, as in Hubble);
 *   <li>json / jsonpb: one line of protobuf JSON with proto field names per response (the same
 *       here: the whole GetFlowsResponse, which {@code --input-file} reads back).
 * </ul>
 *
 * <p>Loss notices and node status events print as one line: on stdout in compact, on stderr in
 * dict and table (they would break the blocks and the columns).
 */
public final class FlowPrinter {
    /** Output formats observe accepts (-o), as written in lower case. */
    public enum Format { COMPACT, DICT, TABLE, JSON, JSONPB }

    static final class FormatConverter extends LowerCaseEnum<Format> { FormatConverter() { super(Format.class); } }

    static final String DICT_SEPARATOR = "------------";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss.SSS", Locale.US);

    private final Format format;
    private final ZoneId zone;
    private final boolean nodeName;
    private final Colors colors;
    private final JsonFormat.Printer json =
            JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
    private final Table table;
    private int flows;

    public FlowPrinter(Format format, ZoneId zone) {
        this(format, zone, false, false);
    }

    /**
     * @param nodeName print the node that observed each flow (--print-node-name)
     * @param color ANSI colors for hosts, identities, ports and verdicts (never in table)
     */
    public FlowPrinter(Format format, ZoneId zone, boolean nodeName, boolean color) {
        this.format = format;
        this.zone = zone;
        this.nodeName = nodeName;
        this.colors = new Colors(color && format != Format.TABLE);
        this.table = format == Format.TABLE ? new Table() : null;
    }

    /**
     * Prints one response. Table rows are held until {@link #flush} so that columns align over
     * everything printed so far.
     */
    public void print(GetFlowsResponse r, PrintWriter out, PrintWriter err) {
        boolean isFlow = r.getResponseTypesCase() == GetFlowsResponse.ResponseTypesCase.FLOW;
        switch (format) {
            case DICT -> {
                if (isFlow) {
                    if (flows++ > 0) {
                        out.println(DICT_SEPARATOR);
                    }
                    out.print(dict(r.getFlow()));
                } else {
                    err.println(event(r));
                }
            }
            case TABLE -> {
                if (isFlow) {
                    table.add(row(r.getFlow()));
                } else {
                    err.println(event(r));
                }
            }
            default -> out.println(line(r));
        }
    }

    /** Writes held table rows (the header once, before the first row). */
    public void flush(PrintWriter out) {
        if (table != null) {
            table.writeTo(out, nodeName);
        }
        out.flush();
    }

    /** One line, without the newline (compact and json formats). */
    public String line(GetFlowsResponse r) {
        if (format == Format.JSON || format == Format.JSONPB) {
            try {
                return json.print(r);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("cannot print response as JSON", e);
            }
        }
        return r.getResponseTypesCase() == GetFlowsResponse.ResponseTypesCase.FLOW ? compact(r.getFlow()) : event(r);
    }

    private static String event(GetFlowsResponse r) {
        return switch (r.getResponseTypesCase()) {
            case LOST_EVENTS -> lost(r.getLostEvents());
            case NODE_STATUS -> nodeStatus(r.getNodeStatus());
            default -> "unknown response type: " + r.getResponseTypesCase();
        };
    }

    String compact(Flow f) {
        String src = colors.host(host(f, true)) + " " + colors.identity(identity(f.getSource()));
        String dst = colors.host(host(f, false)) + " " + colors.identity(identity(f.getDestination()));
        String arrow = "->";
        if (!f.hasIsReply()) {
            arrow = "<>";
        } else if (f.getIsReply().getValue()) {
            String t = src;
            src = dst;
            dst = t;
            arrow = "<-";
        }
        String node = nodeName ? " [" + f.getNodeName() + "]" : "";
        return time(f) + node + ": " + src + " " + arrow + " " + dst + " " + type(f) + " " + colors.verdict(f.getVerdict()) + " (" + f.getSummary() + ")";
    }

    private String dict(Flow f) {
        StringBuilder b = new StringBuilder();
        b.append("  TIMESTAMP: ").append(time(f)).append('\n');
        if (nodeName) {
            b.append("       NODE: ").append(f.getNodeName()).append('\n');
        }
        b.append("     SOURCE: ").append(colors.host(host(f, true))).append('\n');
        b.append("DESTINATION: ").append(colors.host(host(f, false))).append('\n');
        b.append("       TYPE: ").append(type(f)).append('\n');
        b.append("    VERDICT: ").append(colors.verdict(f.getVerdict())).append('\n');
        b.append("    SUMMARY: ").append(f.getSummary()).append('\n');
        return b.toString();
    }

    private List<String> row(Flow f) {
        List<String> cells = new ArrayList<>();
        cells.add(time(f));
        if (nodeName) {
            cells.add(f.getNodeName());
        }
        cells.addAll(List.of(host(f, true), host(f, false), type(f), f.getVerdict().name(), f.getSummary()));
        return cells;
    }

    private String time(Flow f) {
        if (!f.hasTime()) {
            return "N/A";
        }
        return TIME.format(Instant.ofEpochSecond(f.getTime().getSeconds(), f.getTime().getNanos()).atZone(zone));
    }

    /** One end as Hubble names it: ns/pod, else ns/service, else DNS names, else the IP; then :port. */
    private static String host(Flow f, boolean source) {
        Endpoint ep = source ? f.getSource() : f.getDestination();
        dev.flows.proto.flow.Service svc = source ? f.getSourceService() : f.getDestinationService();
        List<String> names = source ? f.getSourceNamesList() : f.getDestinationNamesList();
        String ip = source ? f.getIP().getSource() : f.getIP().getDestination();
        int port = source ? srcPort(f) : dstPort(f);
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
        return host;
    }

    private static String identity(Endpoint ep) {
        ReservedIdentity r = ep.getIdentity() == 0 ? null : ReservedIdentity.of(ep.getIdentity());
        String reserved = r == null ? null : r.text();
        return reserved != null ? "(" + reserved + ")" : "(ID:" + Integer.toUnsignedString(ep.getIdentity()) + ")";
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
            case 4 -> ObservationPoint.of(sub) != null ? ObservationPoint.of(sub).text() : "trace:" + sub;
            case 1 -> dropReason(sub);
            case 5 -> "policy-verdict:" + policyMatch(f.getPolicyMatchType()) + " " + f.getTrafficDirection().name();
            case 7 -> "trace-sock";
            case 129 -> "l7";
            default -> "UNKNOWN";
        };
    }

    private static String dropReason(int code) {
        String text = DropReasons.text(code);
        if (text != null) {
            return text;
        }
        DropReason r = DropReason.forNumber(code);
        return r != null ? r.name() : Integer.toString(code);
    }

    private static String policyMatch(int code) {
        PolicyMatch m = PolicyMatch.of(code);
        return m != null && m.text() != null ? m.text() : Integer.toString(code);
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
