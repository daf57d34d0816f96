package dev.flows.cluster;

import java.util.Map;

/** A Kubernetes Namespace and its labels (namespaceSelector matches on them). */
public record Namespace(String name, Map<String, String> labels) {}
