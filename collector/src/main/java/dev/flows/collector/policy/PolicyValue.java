package dev.flows.collector.policy;

/** A policy map value (struct policy_value): allow, and the policy that allowed, by its id. */
public record PolicyValue(int policyId) {}
