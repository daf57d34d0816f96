package dev.flows.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The cluster state from the Kubernetes API server: one shared informer (list, then watch) per
 * kind flows reads: Nodes, Namespaces, Pods, Services, EndpointSlices, NetworkPolicies.
 *
 * <p>What a node does when the API server misbehaves, which fabric8's informers give us and this
 * class keeps: a watch that ends is opened again from the last resource version; a watch refused
 * with 410 Gone (that version is too old) is replaced by a new list, whose differences with what
 * is held arrive as adds, updates and deletes; a list or watch that fails is tried again, with a
 * backoff that doubles from {@code watchReconnectInterval} (fabric8's default, 1 s) to 32 times
 * that, for ever. Nothing is removed because the API server went away: only a list that succeeds
 * says what is gone.
 *
 * <p>Each change updates this class's own objects at once; the state handed to the listener is
 * rebuilt from them {@code coalesce} after the first change of a burst, so a burst (a relist, a
 * rollout) is one new state, not hundreds. No state is offered before every kind was listed once.
 */
public final class KubernetesClusterSource implements ClusterSource {
    /** The kinds read, in the order of {@link ClusterSource#counts}. */
    static final List<String> KINDS = List.copyOf(KubeObjects.KINDS.keySet());
    private static final long LIST_PAGE = 500;
    private static final long WARN_EVERY_MS = 30_000;
    // how long a burst of changes may gather before it becomes one state: well inside the 100 ms
    // a change may take to reach the maps
    private static final Duration COALESCE = Duration.ofMillis(10);

    private final KubernetesClient client;
    private final Duration coalesce;
    private final Consumer<String> notes;
    private final Consumer<String> warnings;
    private final Map<String, Map<String, Object>> held = new LinkedHashMap<>();
    private final Map<String, AtomicLong> lastWarning = new ConcurrentHashMap<>();
    private final List<SharedIndexInformer<? extends HasMetadata>> informers = new ArrayList<>();
    private final ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "flows-cluster-api");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch synced = new CountDownLatch(1);
    private volatile boolean offering;
    private final AtomicBoolean publishPending = new AtomicBoolean();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final boolean[] watching = new boolean[KINDS.size()];
    // when the state was last known complete and current: every kind listed and watching
    private volatile long lastSyncMillis;
    private volatile ClusterState current = ClusterState.EMPTY;
    private volatile Consumer<ClusterState> listener;

    /**
     * Connects with {@code kubeconfig}, or, when null, as fabric8 finds its way: $KUBECONFIG,
     * ~/.kube/config, else the pod's service account (in a cluster).
     *
     * @param notes what went as it should (every kind listed, a watch back), one line each
     * @param warnings what did not (a list or watch failed, an object left out), one line each
     */
    public static KubernetesClusterSource connect(Path kubeconfig, Consumer<String> notes, Consumer<String> warnings) {
        Config config;
        if (kubeconfig == null) {
            config = Config.autoConfigure(null);
        } else {
            try {
                config = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
            } catch (java.io.IOException e) {
                throw new YamlClusterLoader.InvalidClusterException("--kubeconfig " + kubeconfig + ": cannot read: " + e.getMessage());
            }
        }
        return connect(config, notes, warnings);
    }

    /** Connects to the API server that {@code config} names (tests: the mock server's). */
    public static KubernetesClusterSource connect(Config config, Consumer<String> notes, Consumer<String> warnings) {
        // the JDK's HTTP client: see cluster/pom.xml
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config)
                .withHttpClientFactory(new JdkHttpClientFactory()).build();
        return new KubernetesClusterSource(client, COALESCE, notes, warnings);
    }

    private KubernetesClusterSource(KubernetesClient client, Duration coalesce, Consumer<String> notes, Consumer<String> warnings) {
        this.client = client;
        this.coalesce = coalesce;
        this.notes = notes;
        this.warnings = warnings;
        for (String kind : KINDS) {
            held.put(kind, new ConcurrentHashMap<>());
        }
        inform("Node", client.nodes(), Function.identity());
        inform("Namespace", client.namespaces(), Function.identity());
        inform("Pod", client.pods().inAnyNamespace(), KubeObjects::slim);
        inform("Service", client.services().inAnyNamespace(), Function.identity());
        inform("EndpointSlice", client.discovery().v1().endpointSlices().inAnyNamespace(), Function.identity());
        inform("NetworkPolicy", client.network().v1().networkPolicies().inAnyNamespace(), Function.identity());
        publisher.scheduleWithFixedDelay(this::checkWatches, 50, 50, TimeUnit.MILLISECONDS);
    }

    private <T extends HasMetadata> void inform(String kind, Informable<T> what, Function<T, T> slim) {
        SharedIndexInformer<T> informer = what.withLimit(LIST_PAGE).runnableInformer(0);
        informer.itemStore(new BasicItemStore<T>(Cache::metaNamespaceKeyFunc) {
            @Override
            public T put(String key, T obj) {
                return super.put(key, slim.apply(obj));
            }
        });
        informer.exceptionHandler((started, t) -> {
            warn(kind, kind + "s: " + (started ? "watch or list failed" : "first list failed") + ", trying again: " + oneLine(t));
            return true;
        });
        Map<String, Object> mine = held.get(kind);
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
                put(kind, mine, obj);
            }

            @Override
            public void onUpdate(T old, T obj) {
                put(kind, mine, obj);
            }

            @Override
            public void onDelete(T obj, boolean finalStateUnknown) {
                events.incrementAndGet();
                synchronized (mine) {
                    mine.remove(Cache.metaNamespaceKeyFunc(obj));
                }
                changed();
            }
        });
        informers.add(informer);
        informer.start();
    }

    private void put(String kind, Map<String, Object> mine, HasMetadata obj) {
        events.incrementAndGet();
        synchronized (mine) {
            hold(mine, obj, true);
        }
        changed();
    }

    /** @param report false when the object's own event reports it: counted and logged once */
    private void hold(Map<String, Object> mine, HasMetadata obj, boolean report) {
        String key = Cache.metaNamespaceKeyFunc(obj);
        try {
            mine.put(key, KubeObjects.fromApi(obj));
        } catch (YamlClusterLoader.InvalidClusterException e) {
            // What the model cannot hold (e.g. an IPv6-only pod) is out of the state, and said so.
            mine.remove(key);
            if (report) {
                rejected.incrementAndGet();
                warnings.accept("cluster state: left out: " + e.getMessage());
            }
        }
    }

    /**
     * The first state is taken from the informers' caches, which are complete once listed; the
     * handlers' events of that list may still be on their way, and must not be waited for blindly.
     * Under the lock the handlers take: an event the cache already holds and the handler has not
     * yet applied comes after, in its order, so what is held converges with the cache.
     */
    private void takeListed() {
        for (int i = 0; i < informers.size(); i++) {
            Map<String, Object> mine = held.get(KINDS.get(i));
            synchronized (mine) {
                java.util.Set<String> listed = new java.util.HashSet<>();
                for (HasMetadata obj : informers.get(i).getStore().list()) {
                    listed.add(Cache.metaNamespaceKeyFunc(obj));
                    hold(mine, obj, false);
                }
                mine.keySet().retainAll(listed);
            }
        }
    }

    private void changed() {
        if (offering && publishPending.compareAndSet(false, true)) {
            publisher.schedule(this::publish, coalesce.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** On the publisher thread: the first sync, and each informer losing and regaining its watch. */
    private void checkWatches() {
        boolean all = true;
        for (int i = 0; i < informers.size(); i++) {
            SharedIndexInformer<?> inf = informers.get(i);
            boolean now = inf.isWatching();
            if (watching[i] && !now) {
                restarts.incrementAndGet();
            } else if (!watching[i] && now && synced.getCount() == 0) {
                notes.accept("cluster state: watching " + KINDS.get(i) + "s again");
            }
            watching[i] = now;
            all &= inf.hasSynced() && now;
        }
        if (all && synced.getCount() == 1) {
            notes.accept("cluster state: every kind listed, watching the API server");
            takeListed();
            // offering before the first state is taken: a change from now on makes another one
            offering = true;
            publish();
            synced.countDown();
        }
        if (all) {
            lastSyncMillis = System.currentTimeMillis();
        }
    }

    private void publish() {
        publishPending.set(false);
        ClusterState s = new ClusterState(values("Node", Node.class), values("Namespace", Namespace.class),
                values("Pod", Pod.class), values("Service", Service.class), values("NetworkPolicy", NetworkPolicy.class),
                values("EndpointSlice", EndpointSlice.class));
        current = s;
        Consumer<ClusterState> l = listener;
        if (l != null) {
            try {
                l.accept(s);
            } catch (RuntimeException e) {
                warnings.accept("cluster state: applying it failed: " + oneLine(e));
            }
        }
    }

    private <T> List<T> values(String kind, Class<T> type) {
        List<Map.Entry<String, Object>> entries = new ArrayList<>(held.get(kind).entrySet());
        entries.sort(Map.Entry.comparingByKey(Comparator.naturalOrder()));
        List<T> out = new ArrayList<>(entries.size());
        for (Map.Entry<String, Object> e : entries) {
            out.add(type.cast(e.getValue()));
        }
        return List.copyOf(out);
    }

    private void warn(String kind, String message) {
        long now = System.currentTimeMillis();
        AtomicLong last = lastWarning.computeIfAbsent(kind, k -> new AtomicLong());
        long before = last.get();
        if (now - before >= WARN_EVERY_MS && last.compareAndSet(before, now)) {
            warnings.accept("cluster state: " + message + " (keeping the last state; said at most every 30s)");
        }
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage() == null ? t.toString() : t.getMessage();
        return m.replaceAll("\\s+", " ").trim();
    }

    @Override
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        return synced.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public ClusterState current() {
        return current;
    }

    @Override
    public void listen(Consumer<ClusterState> onChange) {
        publisher.execute(() -> {
            listener = onChange;
            onChange.accept(current);
        });
    }

    @Override
    public Stats stats() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String kind : KINDS) {
            counts.put(kind, held.get(kind).size());
        }
        return new Stats("api", synced.getCount() == 0, events.get(), restarts.get(), rejected.get(), lastSyncMillis, counts);
    }

    @Override
    public void close() {
        publisher.shutdownNow();
        for (SharedIndexInformer<?> i : informers) {
            i.stop();
        }
        client.close();
    }
}
