package dev.flows.collector.api;

import dev.flows.observer.wire.BatchWriter;
import dev.flows.observer.wire.StreamLimits;

import com.google.protobuf.util.Timestamps;
import dev.flows.observer.filter.FlowEntry;
import dev.flows.collector.buffer.FlowBuffer;
import dev.flows.observer.filter.FlowSelection;
import dev.flows.collector.pipeline.LossCounters;
import dev.flows.proto.flow.LostEvent;
import dev.flows.proto.flow.LostEventSource;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * One GetFlows stream, run on its own thread: select history (since/until, filters, number,
 * first), then optionally follow the buffer. Waits for gRPC flow control before every message and
 * stops as soon as the client cancels. Sends either one GetFlowsResponse per message (Observer
 * clients) or the same responses serialized into FlowBatches (the relay, {@link BatchWriter}). A
 * batch goes when it reaches {@link StreamLimits#BATCH_BYTES}; when the stream has caught up with the buffer
 * and the batch is {@link #BATCH_LINGER_NANOS} old; when the stream ends; and at the latest
 * {@link #BATCH_DELAY_NANOS} after its first response (a follow with a narrow filter, reading a
 * buffer that never runs dry, may select a flow only now and then).
 */
final class GetFlowsCall implements Runnable {
    private static final long FOLLOW_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    static final long BATCH_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** How long a following batch waits for more flows once the buffer has run dry: what a flow may wait here. */
    static final long BATCH_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final GetFlowsRequest req;
    private final FlowSelection selection;
    private final FlowBuffer buffer;
    private final LossCounters losses;
    private final String nodeName;
    private final LongSupplier wallNanos;
    private final ServerCallStreamObserver<Object> out;
    /** The batch being filled; null when responses go one per message. */
    private final BatchWriter batch;
    /** System.nanoTime() of the batch's first response. */
    private long batchStarted;
    private volatile Thread worker;

    /** One GetFlowsResponse per message. */
    GetFlowsCall(GetFlowsRequest req, FlowSelection selection, FlowBuffer buffer, LossCounters losses,
            String nodeName, LongSupplier wallNanos, ServerCallStreamObserver<GetFlowsResponse> out) {
        this(req, selection, buffer, losses, nodeName, wallNanos, erase(out), null);
    }

    /** The same responses in batches. */
    static GetFlowsCall batched(GetFlowsRequest req, FlowSelection selection, FlowBuffer buffer, LossCounters losses,
            String nodeName, LongSupplier wallNanos, ServerCallStreamObserver<BatchWriter> out) {
        return new GetFlowsCall(req, selection, buffer, losses, nodeName, wallNanos, erase(out),
                StreamLimits.batchWriter());
    }

    @SuppressWarnings("unchecked")
    private static ServerCallStreamObserver<Object> erase(ServerCallStreamObserver<?> out) {
        return (ServerCallStreamObserver<Object>) out;
    }

    private GetFlowsCall(GetFlowsRequest req, FlowSelection selection, FlowBuffer buffer, LossCounters losses,
            String nodeName, LongSupplier wallNanos, ServerCallStreamObserver<Object> out, BatchWriter batch) {
        this.req = req;
        this.selection = selection;
        this.buffer = buffer;
        this.losses = losses;
        this.nodeName = nodeName;
        this.wallNanos = wallNanos;
        this.out = out;
        this.batch = batch;
        out.setOnReadyThreshold(StreamLimits.ON_READY_THRESHOLD_BYTES);
        out.setOnReadyHandler(this::wake);
        out.setOnCancelHandler(this::wake);
    }

    private void wake() {
        Thread t = worker;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public void run() {
        worker = Thread.currentThread();
        try {
            long next = req.getFirst() ? first() : last();
            if (next >= 0 && req.getFollow() && !out.isCancelled()) {
                follow(next);
            }
            if (sendBatch() && !out.isCancelled()) {
                out.onCompleted();
            }
        } catch (IllegalStateException e) {
            // The call closed under us (client cancelled between the check and the send): nothing to tell.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelQuietly();
        } catch (RuntimeException e) {
            if (!out.isCancelled()) {
                out.onError(io.grpc.Status.INTERNAL.withDescription("GetFlows failed: " + e).asRuntimeException());
            }
        } finally {
            worker = null;
        }
    }

    private void cancelQuietly() {
        if (!out.isCancelled()) {
            out.onError(io.grpc.Status.CANCELLED.withDescription("server shutting down").asRuntimeException());
        }
    }

    /** The oldest matching flows, oldest first. Returns where to follow from, or -1 if done. */
    private long first() throws InterruptedException {
        long limit = selection.limit();
        long sent = 0;
        FlowBuffer.Reader r = buffer.reader(buffer.oldestSeq());
        long end = buffer.nextSeq();
        while (r.position() < end && sent < limit) {
            FlowBuffer.Read read = r.next();
            if (read instanceof FlowBuffer.Read.Ok ok) {
                if (sendIfSelected(ok.entry())) {
                    sent++;
                }
            } else if (read instanceof FlowBuffer.Read.Lost lost) {
                sendOverrun(lost.count());
            } else {
                break;
            }
            if (out.isCancelled()) {
                return -1;
            }
        }
        return r.position();
    }

    /**
     * The newest matching flows, emitted oldest first, with the loss notices among them. With
     * follow and no number and no since, history is skipped: only new flows are streamed.
     */
    private long last() throws InterruptedException {
        long end = buffer.nextSeq();
        if (req.getFollow() && req.getNumber() == 0 && !req.hasSince()) {
            return end;
        }
        for (FlowEntry e : selection.newest(end, buffer::get)) {
            if (!send(e)) {
                return -1;
            }
        }
        return end;
    }

    private void follow(long from) throws InterruptedException {
        FlowBuffer.Reader r = buffer.reader(from);
        while (!out.isCancelled()) {
            long until = selection.until();
            if (until != Long.MAX_VALUE && wallNanos.getAsLong() > until) {
                return;
            }
            FlowBuffer.Read read = r.next();
            if (read instanceof FlowBuffer.Read.Ok ok) {
                FlowEntry e = ok.entry();
                if (e.isFlow() && e.timeNanos() > until) {
                    return;
                }
                sendIfSelected(e);
                if (batch != null && batch.count() > 0 && System.nanoTime() - batchStarted > BATCH_DELAY_NANOS && !sendBatch()) {
                    return;
                }
            } else if (read instanceof FlowBuffer.Read.Lost lost) {
                sendOverrun(lost.count());
            } else if (!lingering() && sendBatch()) {
                r.await(FOLLOW_WAIT_NANOS);
            }
        }
    }

    /**
     * Caught up with the buffer while a batch is young: sleeps until it is {@link #BATCH_LINGER_NANOS}
     * old, without asking the buffer to wake us, so the flows appended meanwhile go in this batch.
     * Sending at once cost a batch, a wakeup of this thread and of the relay per few flows (the
     * writer appends as it decodes, and woke us for each). False when there is nothing to wait for.
     */
    private boolean lingering() throws InterruptedException {
        if (batch == null || batch.count() == 0) {
            return false;
        }
        long left = batchStarted + BATCH_LINGER_NANOS - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        LockSupport.parkNanos(this, left);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return true;
    }

    /** Sends a flow that passes time and filters, or a loss notice; true if a flow was sent. */
    private boolean sendIfSelected(FlowEntry e) throws InterruptedException {
        return selection.selects(e) && send(e) && e.isFlow();
    }

    private void sendOverrun(long n) throws InterruptedException {
        losses.addReaderOverrun(n);
        LostEvent lost = LostEvent.newBuilder()
                .setSource(LostEventSource.HUBBLE_RING_BUFFER).setNumEventsLost(n).build();
        emit(GetFlowsResponse.newBuilder().setLostEvents(lost).setNodeName(nodeName)
                .setTime(Timestamps.fromNanos(wallNanos.getAsLong())).build());
    }

    private boolean send(FlowEntry e) throws InterruptedException {
        GetFlowsResponse.Builder b = GetFlowsResponse.newBuilder().setNodeName(nodeName);
        if (e.isFlow()) {
            b.setFlow(e.flow()).setTime(e.flow().getTime());
        } else {
            b.setLostEvents(e.lost()).setTime(Timestamps.fromNanos(e.timeNanos()));
        }
        return emit(b.build());
    }

    /** Sends (or adds to the batch); false when the client has gone. */
    private boolean emit(GetFlowsResponse resp) throws InterruptedException {
        if (batch == null) {
            return sendMessage(resp);
        }
        if (batch.count() == 0) {
            batchStarted = System.nanoTime();
        }
        batch.add(resp);
        return batch.size() < StreamLimits.BATCH_BYTES || sendBatch();
    }

    /** Sends the batch if one is being filled and holds anything; false when the client has gone. */
    private boolean sendBatch() throws InterruptedException {
        if (batch == null || batch.count() == 0) {
            return true;
        }
        boolean sent = sendMessage(batch);
        batch.clear();
        return sent;
    }

    /** Waits for flow control, then sends one message; false when the client has gone. */
    private boolean sendMessage(Object message) throws InterruptedException {
        while (!out.isReady()) {
            if (out.isCancelled()) {
                return false;
            }
            LockSupport.parkNanos(this, FOLLOW_WAIT_NANOS);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        if (out.isCancelled()) {
            return false;
        }
        out.onNext(message);
        return true;
    }
}
