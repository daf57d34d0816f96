package dev.flows.observer.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.relay.FlowBatch;
import dev.flows.proto.relay.FlowBatchesGrpc;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * relay.FlowBatches/GetFlowBatches: GetFlows with many responses per message. Collectors serve it
 * to the relay, and the relay to the flows CLI; any other client uses observer.Observer/GetFlows,
 * which both still serve. These are the two ends of it that do not go through a FlowBatch object.
 */
public final class FlowBatchMethod {
    private FlowBatchMethod() {}

    /**
     * Whether a failed GetFlowBatches call means "this server does not serve batches" (an older
     * collector, Hubble's own relay, any other Observer), so the same request is to be asked again
     * as observer.Observer/GetFlows: it failed UNIMPLEMENTED before any message came. A call that
     * delivered and then failed is a real failure.
     */
    public static boolean notServed(Throwable error, boolean anythingReceived) {
        return !anythingReceived && Status.fromThrowable(error).getCode() == Status.Code.UNIMPLEMENTED;
    }

    /** Field number shifted left by 3, or'ed with the wire type (length-delimited). */
    private static final int RESPONSES_TAG = FlowBatch.RESPONSES_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;

    /** For servers: each message is what a {@link BatchWriter} holds. */
    public static final MethodDescriptor<GetFlowsRequest, BatchWriter> SERVER = FlowBatchesGrpc.getGetFlowBatchesMethod()
            .toBuilder(FlowBatchesGrpc.getGetFlowBatchesMethod().getRequestMarshaller(), BatchWriter.MARSHALLER)
            .build();

    /**
     * For clients that read flows: each message as its GetFlowsResponses in order, parsed straight
     * from the message (a FlowBatch would copy each into a ByteString first).
     */
    public static final MethodDescriptor<GetFlowsRequest, List<GetFlowsResponse>> CLIENT = FlowBatchesGrpc
            .getGetFlowBatchesMethod()
            .toBuilder(FlowBatchesGrpc.getGetFlowBatchesMethod().getRequestMarshaller(), new Parsed())
            .build();

    /** Reads one response of a received batch: {@code length} bytes of {@code array} from {@code offset}. */
    @FunctionalInterface
    public interface ResponseReader<T> {
        T read(byte[] array, int offset, int length) throws IOException;
    }

    /**
     * The responses of one received FlowBatch message, in order, each read by {@code reader} where
     * it lies in the message's bytes (not copied out). A field running past the message fails it.
     */
    public static <T> List<T> responses(InputStream message, ResponseReader<T> reader) throws IOException {
        byte[] bytes = readMessage(message);
        CodedInputStream batch = CodedInputStream.newInstance(bytes);
        List<T> out = new ArrayList<>();
        for (int tag = batch.readTag(); tag != 0; tag = batch.readTag()) {
            if (tag == RESPONSES_TAG) {
                int length = batch.readRawVarint32();
                int offset = batch.getTotalBytesRead();
                batch.skipRawBytes(length); // throws if the length runs past the message
                out.add(reader.read(bytes, offset, length));
            } else if (!batch.skipField(tag)) {
                break;
            }
        }
        return out;
    }

    /**
     * A received gRPC message in one array of its size: InputStream.readNBytes(int) would read it in
     * 8 KiB pieces and copy them together again.
     */
    public static byte[] readMessage(InputStream in) throws IOException {
        if (!(in instanceof KnownLength)) {
            return in.readAllBytes();
        }
        byte[] bytes = new byte[in.available()];
        if (in.readNBytes(bytes, 0, bytes.length) != bytes.length) {
            throw new IOException("the message ended before its length");
        }
        return bytes;
    }

    private static final class Parsed implements MethodDescriptor.Marshaller<List<GetFlowsResponse>> {
        @Override
        public InputStream stream(List<GetFlowsResponse> responses) {
            throw new UnsupportedOperationException("clients receive batches, they send none");
        }

        @Override
        public List<GetFlowsResponse> parse(InputStream in) {
            try {
                return responses(in, GetFlowsResponse.parser()::parseFrom);
            } catch (IOException e) {
                throw Status.INTERNAL.withDescription("reading a batch of GetFlows responses: " + e.getMessage())
                        .withCause(e).asRuntimeException();
            }
        }
    }
}
