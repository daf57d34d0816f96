package dev.flows.relay.export;

import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.ObserverGrpc;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.logging.Logger;

/**
 * Feeds every exporter from one follow of the relay's own merged stream (the same GetFlows a
 * client gets, so exporters see exactly what clients see, lost_events included). Each exporter
 * sits behind its own bounded queue and thread: a slow or stuck exporter loses, and counts, only
 * its own responses.
 */
public final class ExportHub implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExportHub.class.getName());
    private static final long RETRY_MS = 1000;

    private final ObserverGrpc.ObserverBlockingStub observer;
    private final List<ExportQueue> queues = new ArrayList<>();
    private final Thread follower = new Thread(this::follow, "flows-export-hub");
    private volatile Context.CancellableContext call;
    private volatile boolean running = true;

    /** @param relay a channel to the relay's own Observer service (in-process in production) */
    public ExportHub(Channel relay) {
        this.observer = ObserverGrpc.newBlockingStub(relay);
    }

    /** Adds an exporter with room for {@code capacity} responses; call before {@link #start}. */
    public ExportHub add(FlowExporter exporter, int capacity) {
        queues.add(new ExportQueue(exporter, capacity));
        return this;
    }

    public ExportHub start() {
        queues.forEach(ExportQueue::start);
        follower.setDaemon(true);
        follower.start();
        return this;
    }

    /** Per exporter: how much waits, how much was exported and how much was dropped. */
    public List<ExportQueue.Stats> stats() {
        return queues.stream().map(ExportQueue::stats).toList();
    }

    private void follow() {
        GetFlowsRequest followAll = GetFlowsRequest.newBuilder().setFollow(true).build();
        while (running) {
            Context.CancellableContext ctx = Context.current().withCancellation();
            call = ctx;
            try {
                ctx.run(() -> {
                    Iterator<GetFlowsResponse> it = observer.getFlows(followAll);
                    while (it.hasNext()) {
                        GetFlowsResponse r = it.next();
                        for (ExportQueue q : queues) {
                            q.offer(r);
                        }
                    }
                });
            } catch (StatusRuntimeException e) {
                if (running) {
                    LOG.warning("export stream ended: " + e.getStatus() + "; following again in " + RETRY_MS + " ms");
                }
            } finally {
                ctx.cancel(null);
            }
            sleep();
        }
    }

    private void sleep() {
        try {
            Thread.sleep(RETRY_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        Context.CancellableContext c = call;
        if (c != null) {
            c.cancel(null);
        }
        follower.interrupt();
        queues.forEach(ExportQueue::close);
    }
}
