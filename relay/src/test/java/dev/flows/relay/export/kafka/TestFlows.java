package dev.flows.relay.export.kafka;

import com.google.protobuf.Timestamp;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.FlowType;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.IPVersion;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.TCP;
import dev.flows.proto.flow.TCPFlags;
import dev.flows.proto.flow.TraceObservationPoint;
import dev.flows.proto.flow.Verdict;
import dev.flows.proto.observer.GetFlowsResponse;

/**
 * Flows as the lab's traffic makes them (pods, TCP, both directions, two nodes), each with a
 * unique id in {@code socket_cookie} and a time that grows with the id, so a consumer can tell
 * which arrived, how often, and in which order.
 */
public final class TestFlows {
    /** Flow 0's time: when this class loaded, so flows look current to a broker's time-based retention. */
    private static final long BASE_NANOS = System.currentTimeMillis() * 1_000_000L;

    private TestFlows() {}

    /** Flow number {@code id} of one of {@code connections} connections; odd ids are replies. */
    public static GetFlowsResponse flow(long id, int connections) {
        int conn = (int) (id % connections);
        boolean reply = (id / connections) % 2 == 1;
        String client = "10.244.1." + (10 + conn % 200);
        String server = "10.244.2.20";
        int clientPort = 40000 + conn;
        long nanos = BASE_NANOS + id * 1000;
        Flow f = Flow.newBuilder()
                .setTime(Timestamp.newBuilder().setSeconds(nanos / 1_000_000_000L).setNanos((int) (nanos % 1_000_000_000L)))
                .setVerdict(Verdict.FORWARDED).setType(FlowType.L3_L4)
                .setNodeName(reply ? "node-b" : "node-a")
                .setTraceObservationPoint(reply ? TraceObservationPoint.TO_ENDPOINT : TraceObservationPoint.FROM_ENDPOINT)
                .setIP(IP.newBuilder().setSource(reply ? server : client).setDestination(reply ? client : server).setIpVersion(IPVersion.IPv4))
                .setL4(Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(reply ? 8080 : clientPort)
                        .setDestinationPort(reply ? clientPort : 8080).setFlags(TCPFlags.newBuilder().setACK(true).setPSH(true))))
                .setSource(Endpoint.newBuilder().setNamespace("shop").setPodName((reply ? "backend-" : "frontend-") + conn % 7).addLabels("app=shop"))
                .setDestination(Endpoint.newBuilder().setNamespace("shop").setPodName((reply ? "frontend-" : "backend-") + conn % 7).addLabels("app=shop"))
                .setSocketCookie(id)
                .build();
        return GetFlowsResponse.newBuilder().setFlow(f).setNodeName(f.getNodeName()).setTime(f.getTime()).build();
    }
}
