package dev.flows.observer.events;

/**
 * How a pod's labels travel on a flow's endpoint, as Hubble writes them: {@code k8s:KEY=VALUE}
 * for each of the pod's own labels, plus the pod's namespace as {@link #NAMESPACE}. Written by the
 * collector's enrichment, read back by whatever turns flows into Kubernetes objects again.
 */
public final class EndpointLabels {
    public static final String K8S = "k8s:";
    /** The label Hubble adds for the pod's namespace; it is not one of the pod's own labels. */
    public static final String NAMESPACE = K8S + "io.kubernetes.pod.namespace";

    private EndpointLabels() {}

    /** A pod label as a flow carries it. */
    public static String of(String key, String value) {
        return K8S + key + "=" + value;
    }
}
