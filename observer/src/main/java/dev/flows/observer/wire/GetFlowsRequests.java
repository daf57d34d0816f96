package dev.flows.observer.wire;

import com.google.protobuf.util.Timestamps;
import dev.flows.observer.filter.FilterException;
import dev.flows.observer.filter.FlowSelection;
import dev.flows.proto.observer.GetFlowsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** The checks every Observer endpoint (collector and relay) makes on a GetFlows request before streaming. */
public final class GetFlowsRequests {
    private GetFlowsRequests() {}

    /**
     * Validates the request and compiles its selection (filters, time range, number).
     *
     * @throws StatusRuntimeException INVALID_ARGUMENT naming what is wrong
     */
    public static FlowSelection check(GetFlowsRequest req) {
        if (req.getFirst() && req.getFollow()) {
            throw Status.INVALID_ARGUMENT
                    .withDescription("first cannot be combined with follow: use number without first to follow from the newest flows")
                    .asRuntimeException();
        }
        if (req.hasSince() && req.hasUntil() && Timestamps.compare(req.getSince(), req.getUntil()) > 0) {
            throw Status.INVALID_ARGUMENT.withDescription("since is after until").asRuntimeException();
        }
        try {
            return FlowSelection.of(req);
        } catch (FilterException e) {
            throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
        }
    }
}
