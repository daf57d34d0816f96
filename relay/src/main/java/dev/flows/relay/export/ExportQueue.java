package dev.flows.relay.export;

import dev.flows.proto.observer.GetFlowsResponse;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/** One exporter's bounded queue and thread: offer never blocks; a full queue drops and counts. */
public final class ExportQueue {
    private static final Logger LOG = Logger.getLogger(ExportQueue.class.getName());

    /**
     * What an exporter has waiting, has taken and has lost (queue full or its own failure), and
     * what its sink did with what it took.
     */
    public record Stats(String exporter, int queued, int capacity, long exported, long dropped, long failed,
            FlowExporter.Sink sink) {
        /** Everything this exporter lost, wherever: queue full, failed, lost by its sink. */
        public long lost() {
            return dropped + failed + sink.lostTotal();
        }
    }

    private final FlowExporter exporter;
    private final ArrayBlockingQueue<GetFlowsResponse> queue;
    private final AtomicLong exported = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Thread worker;
    private volatile boolean running = true;

    ExportQueue(FlowExporter exporter, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("export queue of " + exporter.name() + ": capacity " + capacity + " must be at least 1");
        }
        this.exporter = exporter;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.worker = new Thread(this::run, "flows-export-" + exporter.name());
        this.worker.setDaemon(true);
    }

    void start() {
        worker.start();
    }

    void offer(GetFlowsResponse r) {
        if (!queue.offer(r)) {
            dropped.incrementAndGet();
        }
    }

    Stats stats() {
        return new Stats(exporter.name(), queue.size(), queue.size() + queue.remainingCapacity(), exported.get(),
                dropped.get(), failed.get(), exporter.sink());
    }

    private void run() {
        while (running || !queue.isEmpty()) {
            GetFlowsResponse r;
            try {
                r = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (r == null) {
                continue;
            }
            try {
                exporter.export(r);
                exported.incrementAndGet();
            } catch (Exception e) {
                // One bad response or a sink hiccup must not stop the exporter; it is counted.
                failed.incrementAndGet();
                LOG.log(Level.WARNING, exporter.name() + " exporter: " + e.getMessage(), e);
            }
        }
    }

    void close() {
        running = false;
        try {
            worker.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.interrupt();
        exporter.close();
    }
}
