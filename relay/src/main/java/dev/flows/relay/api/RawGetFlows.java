package dev.flows.relay.api;

import dev.flows.observer.wire.FlowBatchMethod;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.ObserverGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;

/**
 * observer.Observer/GetFlows as the relay calls it on collectors and serves it to clients: the
 * same method on the wire, with each response kept as its serialized bytes ({@link RawResponse})
 * instead of a parsed GetFlowsResponse. Received bytes are copied once out of gRPC's buffers and
 * scanned ({@link ResponseScan}); sent bytes are copied once into them.
 */
final class RawGetFlows {
    private RawGetFlows() {}

    static final MethodDescriptor<GetFlowsRequest, RawResponse> METHOD = ObserverGrpc.getGetFlowsMethod()
            .toBuilder(ObserverGrpc.getGetFlowsMethod().getRequestMarshaller(), new Marshaller())
            .build();

    private static final class Marshaller implements MethodDescriptor.Marshaller<RawResponse> {
        @Override
        public InputStream stream(RawResponse r) {
            return r.stream();
        }

        /** Never fails on the bytes themselves: a malformed response comes back as such, for the caller to count. */
        @Override
        public RawResponse parse(InputStream in) {
            try {
                byte[] bytes = FlowBatchMethod.readMessage(in);
                return ResponseScan.scan(bytes);
            } catch (IOException e) {
                throw Status.INTERNAL.withDescription("reading a GetFlows response: " + e.getMessage()).withCause(e)
                        .asRuntimeException();
            }
        }
    }
}
