package dev.flows.cli.truth;

import com.google.protobuf.util.Timestamps;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.TraceObservationPoint;
import dev.flows.proto.flow.TrafficDirection;
import dev.flows.proto.flow.Verdict;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares what a packet capture saw at each hook with what the flows of the same window say.
 *
 * <p>A capture inside a node namespace ({@code tshark -i any}) records each packet with its
 * interface and direction. On an interface our programs sit on, an incoming packet is captured
 * before the tc ingress program (from-endpoint on a pod's veth, from-network on the uplink) and an
 * outgoing one after tc egress (to-endpoint, to-network). So a hook is (node, ifindex, incoming or
 * outgoing); at an incoming hook the capture has the packet as it arrived (dropped ones too), at
 * an outgoing one as it left (dropped ones never leave).
 *
 * <p>A flow names the source as the packet arrived and the destination as it left, and its
 * summary ends with each rewrite (flow.proto); from both this class rebuilds the tuple the capture
 * saw at that hook. Then per hook and directed tuple: the packets of the flows (their
 * {@code packets} counters; a drop is one) must equal the packets captured. A tuple captured but
 * in no flow is missing, one in flows but never captured is a phantom, unequal counts are a
 * mismatch. A drop at an outgoing hook is checked against the node's incoming capture instead.
 *
 * <p>Only tuples wholly inside the window count: none of their packets or reports in the first
 * {@code settle} of the capture (an earlier use of the tuple may still be flushed then) or in the
 * last {@code tail} (later packets would be in flows but not in the capture).
 */
public final class GroundTruth {
    /** A TCP or UDP tuple in one direction. */
    public record Tuple(int proto, String src, int sport, String dst, int dport) {
        /** The same connection in either direction. */
        public String connection() {
            String a = src + ":" + sport, b = dst + ":" + dport;
            return proto + " " + (a.compareTo(b) < 0 ? a + " " + b : b + " " + a);
        }

        @Override
        public String toString() {
            return (proto == 6 ? "tcp " : proto == 17 ? "udp " : proto + " ") + src + ":" + sport + " -> " + dst + ":" + dport;
        }
    }

    /** Where a packet was seen: a node's interface, incoming (before tc ingress) or outgoing (after tc egress). */
    public record Hook(String node, int ifindex, boolean outgoing) {
        @Override
        public String toString() {
            return node + "/if" + ifindex + (outgoing ? " out" : " in");
        }
    }

    /** One captured packet. */
    public record Packet(Hook hook, long timeNs, Tuple tuple) {}

    /** One finding: what was expected at a hook for a tuple and what the flows said. */
    public record Finding(String kind, Hook hook, Tuple tuple, long captured, long inFlows) {
        @Override
        public String toString() {
            return kind + " " + tuple + " at " + hook + ": captured " + captured + ", in flows " + inFlows;
        }
    }

    /** The comparison's outcome. */
    public record Result(int connections, int hookCrossings, long packetsCaptured, long packetsInFlows,
            List<Finding> missing, List<Finding> phantom, List<Finding> mismatch) {
        public boolean clean() {
            return missing.isEmpty() && phantom.isEmpty() && mismatch.isEmpty();
        }

        @Override
        public String toString() {
            return connections + " connections, " + hookCrossings + " hook crossings, " + packetsCaptured
                    + " packets captured, " + packetsInFlows + " counted in flows; missing " + missing.size()
                    + ", phantom " + phantom.size() + ", mismatch " + mismatch.size();
        }
    }

    private static final Pattern REWRITE = Pattern.compile(
            "; (DNAT|SNAT|reverse DNAT|reverse SNAT) ([0-9.]+):(\\d+) => ([0-9.]+):(\\d+)");

    private GroundTruth() {}

    /**
     * @param packets the capture, every node
     * @param flows the flows of the capture's window and the flush time after it
     * @param podInterfaces per node, the ifindexes of pod veths (the others are uplinks)
     * @param start when the capture began, ns since the epoch
     * @param end when it stopped
     * @param settleNs how long after start a tuple may not be active
     * @param tailNs how long before end a tuple may not be active
     */
    public static Result compare(List<Packet> packets, List<Flow> flows, Map<String, Set<Integer>> podInterfaces,
            long start, long end, long settleNs, long tailNs) {
        Set<String> excluded = new HashSet<>();
        Map<Hook, Map<Tuple, Long>> captured = new TreeMap<>(GroundTruth::byHook);
        Map<String, Set<Tuple>> incomingByNode = new TreeMap<>();
        for (Packet p : packets) {
            if (p.timeNs < start + settleNs || p.timeNs > end - tailNs) {
                excluded.add(p.tuple.connection());
            }
            captured.computeIfAbsent(p.hook, h -> new TreeMap<>(GroundTruth::byTuple)).merge(p.tuple, 1L, Long::sum);
            if (!p.hook.outgoing) {
                incomingByNode.computeIfAbsent(p.hook.node, n -> new HashSet<>()).add(p.tuple);
            }
        }
        Map<Hook, Map<Tuple, Long>> counted = new TreeMap<>(GroundTruth::byHook);
        List<Finding> phantom = new ArrayList<>();
        List<Finding> droppedOnLeaving = new ArrayList<>();
        for (Flow f : flows) {
            Hook hook = hook(f, podInterfaces);
            Tuple t = captureView(f, hook);
            if (hook == null || t == null) {
                continue; // not a packet at one of our hooks (a verdict, an L7 record)
            }
            long ns = Timestamps.toNanos(f.getTime());
            boolean flush = f.getReportReason() == dev.flows.proto.flow.ReportReason.REPORT_FLUSH;
            if (ns < start + settleNs || (!flush && ns > end - tailNs)) {
                excluded.add(t.connection());
            }
            if (f.getVerdict() == Verdict.DROPPED && hook.outgoing) {
                droppedOnLeaving.add(new Finding("phantom", hook, t, 0, 1));
                continue;
            }
            counted.computeIfAbsent(hook, h -> new TreeMap<>(GroundTruth::byTuple)).merge(t, packets(f), Long::sum);
        }
        for (Finding d : droppedOnLeaving) {
            if (!excluded.contains(d.tuple.connection())
                    && !incomingByNode.getOrDefault(d.hook.node, Set.of()).contains(d.tuple)) {
                phantom.add(d); // a drop of a packet that never reached the node
            }
        }
        List<Finding> missing = new ArrayList<>();
        List<Finding> mismatch = new ArrayList<>();
        Set<String> connections = new HashSet<>();
        int crossings = 0;
        long inCapture = 0, inFlows = 0;
        Set<Hook> hooks = new java.util.TreeSet<>(GroundTruth::byHook);
        hooks.addAll(captured.keySet());
        hooks.addAll(counted.keySet());
        for (Hook h : hooks) {
            Map<Tuple, Long> cap = captured.getOrDefault(h, Map.of());
            Map<Tuple, Long> fl = counted.getOrDefault(h, Map.of());
            Set<Tuple> tuples = new java.util.TreeSet<>(GroundTruth::byTuple);
            tuples.addAll(cap.keySet());
            tuples.addAll(fl.keySet());
            for (Tuple t : tuples) {
                if (excluded.contains(t.connection())) {
                    continue;
                }
                long c = cap.getOrDefault(t, 0L), n = fl.getOrDefault(t, 0L);
                if (c > 0) {
                    connections.add(t.connection());
                    crossings++;
                }
                inCapture += c;
                inFlows += n;
                if (c > 0 && n == 0) {
                    missing.add(new Finding("missing", h, t, c, n));
                } else if (c == 0 && n > 0) {
                    phantom.add(new Finding("phantom", h, t, c, n));
                } else if (c != n) {
                    mismatch.add(new Finding("mismatch", h, t, c, n));
                }
            }
        }
        return new Result(connections.size(), crossings, inCapture, inFlows, missing, phantom, mismatch);
    }

    private static long packets(Flow f) {
        return f.getVerdict() == Verdict.DROPPED ? 1 : f.getPackets();
    }

    /** The hook a trace or drop was written at, or null. */
    static Hook hook(Flow f, Map<String, Set<Integer>> podInterfaces) {
        int type = f.getEventType().getType();
        if ((type != 4 && type != 1) || !f.hasIP() || !f.hasL4() || !f.hasInterface()) {
            return null;
        }
        int ifindex = f.getInterface().getIndex();
        boolean pod = podInterfaces.getOrDefault(f.getNodeName(), Set.of()).contains(ifindex);
        boolean outgoing;
        if (type == 4) {
            TraceObservationPoint p = f.getTraceObservationPoint();
            outgoing = p == TraceObservationPoint.TO_ENDPOINT || p == TraceObservationPoint.TO_NETWORK;
        } else if (pod) {
            // a pod's egress is its veth's ingress: from-endpoint; its ingress is to-endpoint
            outgoing = f.getTrafficDirection() == TrafficDirection.INGRESS;
        } else {
            outgoing = f.getTrafficDirection() == TrafficDirection.EGRESS;
        }
        return new Hook(f.getNodeName(), ifindex, outgoing);
    }

    /** The tuple as the capture saw it at the flow's hook: before the hook when incoming, after it when outgoing. */
    static Tuple captureView(Flow f, Hook hook) {
        if (hook == null) {
            return null;
        }
        int proto;
        int sport, dport;
        if (f.getL4().hasTCP()) {
            proto = 6;
            sport = f.getL4().getTCP().getSourcePort();
            dport = f.getL4().getTCP().getDestinationPort();
        } else if (f.getL4().hasUDP()) {
            proto = 17;
            sport = f.getL4().getUDP().getSourcePort();
            dport = f.getL4().getUDP().getDestinationPort();
        } else {
            return null;
        }
        String src = f.getIP().getSource(), dst = f.getIP().getDestination();
        // the flow has the source before the hook and the destination after it
        Matcher m = REWRITE.matcher(f.getSummary());
        while (m.find()) {
            String kind = m.group(1);
            boolean changesDestination = kind.equals("DNAT") || kind.equals("reverse SNAT");
            if (!hook.outgoing && changesDestination) {
                dst = m.group(2); // the destination before the rewrite
                dport = Integer.parseInt(m.group(3));
            } else if (hook.outgoing && !changesDestination) {
                src = m.group(4); // the source after the rewrite
                sport = Integer.parseInt(m.group(5));
            }
        }
        return new Tuple(proto, src, sport, dst, dport);
    }

    private static int byHook(Hook a, Hook b) {
        int c = a.node.compareTo(b.node);
        if (c == 0) c = Integer.compare(a.ifindex, b.ifindex);
        return c != 0 ? c : Boolean.compare(a.outgoing, b.outgoing);
    }

    private static int byTuple(Tuple a, Tuple b) {
        return a.toString().compareTo(b.toString());
    }

    /**
     * One line of {@code tshark -T fields -E separator=, -E occurrence=f} with the fields
     * frame.time_epoch, sll.ifindex, sll.pkttype, ip.src, ip.dst, ip.proto, tcp.srcport,
     * tcp.dstport, udp.srcport, udp.dstport; null for a packet that is neither TCP nor UDP.
     */
    public static Packet parseTshark(String node, String line) {
        String[] f = line.split(",", -1);
        if (f.length < 10 || f[0].isEmpty()) {
            return null;
        }
        String[] secs = f[0].split("\\.");
        long ns = Long.parseLong(secs[0]) * 1_000_000_000L
                + (secs.length > 1 ? Long.parseLong((secs[1] + "000000000").substring(0, 9)) : 0);
        boolean outgoing = f[2].equals("4"); // PACKET_OUTGOING
        int proto = Integer.parseInt(f[5]);
        int sport, dport;
        if (proto == 6 && !f[6].isEmpty()) {
            sport = Integer.parseInt(f[6]);
            dport = Integer.parseInt(f[7]);
        } else if (proto == 17 && !f[8].isEmpty()) {
            sport = Integer.parseInt(f[8]);
            dport = Integer.parseInt(f[9]);
        } else {
            return null;
        }
        return new Packet(new Hook(node, Integer.parseInt(f[1]), outgoing), ns, new Tuple(proto, f[3], sport, f[4], dport));
    }
}
