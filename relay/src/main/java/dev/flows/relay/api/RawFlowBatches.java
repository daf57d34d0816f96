package dev.flows.relay.api;

import dev.flows.observer.wire.FlowBatchMethod;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.relay.FlowBatchesGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * relay.FlowBatches/GetFlowBatches as the relay calls it on collectors: each batch comes back as
 * its responses' bytes, each scanned ({@link ResponseScan}) as {@link RawGetFlows} does with a
 * single one, never parsed.
 */
final class RawFlowBatches {
    private RawFlowBatches() {}

    static final MethodDescriptor<GetFlowsRequest, List<RawResponse>> METHOD = FlowBatchesGrpc.getGetFlowBatchesMethod()
            .toBuilder(FlowBatchesGrpc.getGetFlowBatchesMethod().getRequestMarshaller(), new Marshaller())
            .build();

    private static final class Marshaller implements MethodDescriptor.Marshaller<List<RawResponse>> {
        @Override
        public InputStream stream(List<RawResponse> batch) {
            throw new UnsupportedOperationException("the relay receives batches, it sends none");
        }

        /**
         * A damaged response inside an intact batch comes back as such (MALFORMED, counted by the
         * caller); a damaged batch fails the stream, as any malformed message would.
         */
        @Override
        public List<RawResponse> parse(InputStream in) {
            try {
                return FlowBatchMethod.responses(in, ResponseScan::scan);
            } catch (IOException e) {
                throw Status.INTERNAL.withDescription("reading a batch of GetFlows responses: " + e.getMessage())
                        .withCause(e).asRuntimeException();
            }
        }
    }
}
