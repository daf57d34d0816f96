package dev.flows.cluster;

import java.util.Map;

/** A Kubernetes Namespace and its labels (namespaceSelector matches on them). */
public record Namespace(String name, Map<String, String> labels) {
    /** The label Kubernetes puts on every namespace, its name; namespaceSelector often selects by it. */
    public static final String NAME_LABEL = "kubernetes.io/metadata.name";
}
