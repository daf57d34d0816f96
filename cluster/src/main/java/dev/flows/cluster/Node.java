package dev.flows.cluster;

/** A Kubernetes Node: its name, its InternalIP and the pod CIDR routed to it. */
public record Node(String name, String internalIP, String podCIDR) {}
