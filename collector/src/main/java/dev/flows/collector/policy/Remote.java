package dev.flows.collector.policy;

import dev.flows.observer.net.Ipv4Prefix;

import dev.flows.cluster.Pod;
import java.util.Collection;
import java.util.Map;

/**
 * The other side of a policy map entry: every peer ({@link PolicyMapLayout#IDENTITY_ANY}), the
 * addresses of one ipcache prefix (a CIDR identity, or world for 0.0.0.0/0), or the pods of one
 * label identity (same namespace and labels; their container ports may differ).
 */
record Remote(int identity, Ipv4Prefix cidr, String namespace, Map<String, String> labels,
        Map<String, String> namespaceLabels, Collection<Pod> pods) {

    static final Remote ANY = new Remote(PolicyMapLayout.IDENTITY_ANY, null, null, null, null, null);

    static Remote cidr(int identity, Ipv4Prefix prefix) {
        return new Remote(identity, prefix, null, null, null, null);
    }

    static Remote pods(int identity, String namespace, Map<String, String> labels, Map<String, String> namespaceLabels, Collection<Pod> pods) {
        return new Remote(identity, null, namespace, labels, namespaceLabels, pods);
    }

    boolean isAny() {
        return identity == PolicyMapLayout.IDENTITY_ANY;
    }

    boolean isPods() {
        return pods != null;
    }
}
