package dev.flows.observer.wire;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Bytes already serialized, as gRPC's framer wants a message to send: it asks the length first,
 * then has the bytes written straight into its buffer, with no copy in between.
 */
public final class DrainableBytes extends ByteArrayInputStream implements Drainable, KnownLength {
    /** {@code length} bytes of {@code array} from {@code offset}, not copied: not to be changed until sent. */
    public DrainableBytes(byte[] array, int offset, int length) {
        super(array, offset, length);
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
        int n = count - pos;
        target.write(buf, pos, n);
        pos = count;
        return n;
    }
}
