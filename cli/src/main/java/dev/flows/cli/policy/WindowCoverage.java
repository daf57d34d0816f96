package dev.flows.cli.policy;

import com.google.protobuf.util.Timestamps;
import dev.flows.proto.flow.FlowFilter;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.GetNodesRequest;
import dev.flows.proto.observer.Node;
import dev.flows.proto.observer.ObserverGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Whether every node's buffer still holds the window's start. A node whose buffer has wrapped
 * (it saw more flows than it keeps) and whose oldest flow is later than the window's start lost
 * the flows in between to newer ones: no loss counter says so, yet a connection seen only then
 * would be denied. Each node is asked for its oldest flow (first = 1, by node name).
 */
final class WindowCoverage {
    private WindowCoverage() {}

    /** Node name to what it no longer holds ("holds flows only from T"), for the nodes that wrapped after {@code since}. */
    static Map<String, String> gaps(ManagedChannel channel, Instant since) {
        ObserverGrpc.ObserverBlockingStub stub = ObserverGrpc.newBlockingStub(channel);
        Map<String, String> out = new LinkedHashMap<>();
        Iterable<Node> nodes;
        try {
            nodes = stub.withDeadlineAfter(10, TimeUnit.SECONDS).getNodes(GetNodesRequest.getDefaultInstance()).getNodesList();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                return out; // a server that cannot name its nodes: only its loss notices count
            }
            throw e;
        }
        for (Node n : nodes) {
            if (n.getSeenFlows() <= n.getNumFlows()) {
                continue; // never wrapped: everything it saw is still there
            }
            GetFlowsRequest oldest = GetFlowsRequest.newBuilder().setFirst(true).setNumber(1)
                    .addWhitelist(FlowFilter.newBuilder().addNodeName(n.getName())).build();
            Iterator<GetFlowsResponse> it = stub.withDeadlineAfter(10, TimeUnit.SECONDS).getFlows(oldest);
            while (it.hasNext()) {
                GetFlowsResponse r = it.next();
                if (r.hasFlow()) {
                    Instant first = Instant.ofEpochSecond(0, Timestamps.toNanos(r.getFlow().getTime()));
                    if (first.isAfter(since)) {
                        out.put(n.getName(), "holds flows only from " + first + " (its buffer of " + n.getMaxFlows() + " wrapped)");
                    }
                }
            }
        }
        return out;
    }
}
