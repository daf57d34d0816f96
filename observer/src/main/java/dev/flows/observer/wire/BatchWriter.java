package dev.flows.observer.wire;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.relay.FlowBatch;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A {@link FlowBatch} being filled: each response is serialized once, straight into one array, as
 * the batch's field {@code responses} (the bytes FlowBatch.writeTo would write). Building a
 * FlowBatch instead serialized every response twice: to its own ByteString, then into the batch.
 * The array is reused from batch to batch: gRPC copies a message into its own buffers before
 * {@code onNext} returns, so {@link #clear()} after a send is safe.
 */
public final class BatchWriter {
    /** Sends a writer's bytes as one FlowBatch message. */
    static final MethodDescriptor.Marshaller<BatchWriter> MARSHALLER = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(BatchWriter batch) {
            return new DrainableBytes(batch.bytes, 0, batch.size);
        }

        @Override
        public BatchWriter parse(InputStream in) {
            throw new UnsupportedOperationException("collectors send batches, they receive none");
        }
    };

    private byte[] bytes;
    private int size;
    private int count;

    public BatchWriter(int initialBytes) {
        this.bytes = new byte[initialBytes];
    }

    /** Adds a response, serializing it. */
    public void add(GetFlowsResponse r) {
        int length = r.getSerializedSize();
        CodedOutputStream out = reserve(length);
        try {
            r.writeTo(out);
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("a response serialized to other than its computed size", e);
        }
        count++;
    }

    /** Adds a response that is already serialized: {@code length} bytes of {@code array} from {@code offset}. */
    public void add(byte[] array, int offset, int length) {
        CodedOutputStream out = reserve(length);
        try {
            out.writeRawBytes(array, offset, length);
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("a response did not fit the room made for it", e);
        }
        count++;
    }

    /** Writes the field's tag and length, and returns a stream over exactly the room left for the response. */
    private CodedOutputStream reserve(int length) {
        int head = CodedOutputStream.computeTagSize(FlowBatch.RESPONSES_FIELD_NUMBER)
                + CodedOutputStream.computeUInt32SizeNoTag(length);
        if (bytes.length - size < head + length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + head + length));
        }
        CodedOutputStream out = CodedOutputStream.newInstance(bytes, size, head + length);
        try {
            out.writeTag(FlowBatch.RESPONSES_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(length);
        } catch (IOException e) {
            throw new IllegalStateException("no room for a field head measured to fit", e);
        }
        size += head + length;
        return out;
    }

    /** Bytes of the batch so far. */
    public int size() {
        return size;
    }

    /** Responses in the batch so far. */
    public int count() {
        return count;
    }

    /** Empties the batch (after it was sent), keeping its array. */
    public void clear() {
        size = 0;
        count = 0;
    }
}
