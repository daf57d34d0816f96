package dev.flows.collector.policy;

/** An endpoints map value (struct endpoint_value): which directions of a local pod are enforced. */
public record EndpointPolicy(boolean ingressEnforced, boolean egressEnforced) {}
