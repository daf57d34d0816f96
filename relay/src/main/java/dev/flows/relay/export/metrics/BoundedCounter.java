package dev.flows.relay.export.metrics;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One metric family's counter with a hard bound on its series. The first {@code limit} distinct
 * label sets get a series each; every later one is added to a single overflow series (every label
 * {@value #OVERFLOW}) and the increments that went there are counted in
 * {@code flows_metrics_overflow_total{family}}, so nothing is dropped silently and the bound shows.
 */
public final class BoundedCounter {
    /** The value of every label of the overflow series. */
    public static final String OVERFLOW = "overflow";

    private final String family;
    private final LongCounter counter;
    private final LongCounter overflowCount;
    private final Attributes overflowFamily;
    private final List<AttributeKey<String>> keys;
    private final int limit;
    private final ConcurrentHashMap<Key, Attributes> series = new ConcurrentHashMap<>();
    private final Attributes overflow;

    /**
     * @param name the metric name without {@code _total} (the exporter adds it to counters)
     * @param labels the family's label names (its own, then its context's)
     * @param overflowCount the shared {@code flows_metrics_overflow} counter
     */
    BoundedCounter(Meter meter, String family, String name, String description, List<String> labels, int limit,
            LongCounter overflowCount) {
        this.family = family;
        this.counter = meter.counterBuilder(name).setDescription(description).build();
        this.overflowCount = overflowCount;
        this.overflowFamily = Attributes.of(AttributeKey.stringKey("family"), family);
        this.limit = limit;
        List<AttributeKey<String>> k = new ArrayList<>();
        labels.forEach(l -> k.add(AttributeKey.stringKey(l)));
        this.keys = List.copyOf(k);
        AttributesBuilder b = Attributes.builder();
        keys.forEach(key -> b.put(key, OVERFLOW));
        this.overflow = b.build();
    }

    /** Creates the series with a zero value so that it exists before the first event of its kind. */
    public void zero(String... values) {
        add(0, values);
    }

    /** Adds n to the series of these label values (one per label, in order). */
    public void add(long n, String... values) {
        if (values.length != keys.size()) {
            throw new IllegalArgumentException(family + ": " + values.length + " label values for " + keys.size() + " labels");
        }
        Key key = new Key(values);
        Attributes a = series.get(key);
        if (a == null) {
            a = admit(key);
        }
        counter.add(n, a);
        if (a == overflow) {
            overflowCount.add(n, overflowFamily);
        }
    }

    private Attributes admit(Key key) {
        synchronized (series) {
            Attributes a = series.get(key);
            if (a != null) {
                return a;
            }
            if (series.size() >= limit) {
                return overflow;
            }
            AttributesBuilder b = Attributes.builder();
            for (int i = 0; i < keys.size(); i++) {
                b.put(keys.get(i), key.values[i]);
            }
            a = b.build();
            series.put(key, a);
            return a;
        }
    }

    /** Series held, the overflow series not included. */
    public int series() {
        return series.size();
    }

    public String family() {
        return family;
    }

    private record Key(String[] values) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(values, k.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }
    }
}
