package dev.flows.relay.api;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.relay.FlowBatch;
import dev.flows.proto.relay.FlowBatchesGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * relay.FlowBatches/GetFlowBatches as the relay calls it on collectors: each batch comes back as
 * its responses' bytes, each scanned ({@link ResponseScan}) as {@link RawGetFlows} does with a
 * single one, never parsed.
 */
final class RawFlowBatches {
    private RawFlowBatches() {}

    /** Field number shifted left by 3, or'ed with the wire type (length-delimited). */
    private static final int RESPONSES_TAG = FlowBatch.RESPONSES_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;

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
                byte[] bytes = RawGetFlows.readMessage(in);
                CodedInputStream batch = CodedInputStream.newInstance(bytes);
                List<RawResponse> out = new ArrayList<>();
                for (int tag = batch.readTag(); tag != 0; tag = batch.readTag()) {
                    if (tag == RESPONSES_TAG) {
                        int length = batch.readRawVarint32();
                        int offset = batch.getTotalBytesRead();
                        batch.skipRawBytes(length); // throws if the length runs past the batch
                        out.add(ResponseScan.scan(bytes, offset, length));
                    } else if (!batch.skipField(tag)) {
                        break;
                    }
                }
                return out;
            } catch (IOException e) {
                throw Status.INTERNAL.withDescription("reading a batch of GetFlows responses: " + e.getMessage())
                        .withCause(e).asRuntimeException();
            }
        }
    }
}
