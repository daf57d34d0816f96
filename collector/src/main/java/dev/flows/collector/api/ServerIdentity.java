package dev.flows.collector.api;

/**
 * Who this Observer endpoint is, as reported in ServerStatus, GetNodes and every response.
 *
 * @param nodeName the Kubernetes node this collector runs on
 * @param address where peers and relays reach it, "IP:port"
 * @param version the collector's version string
 */
public record ServerIdentity(String nodeName, String address, String version) {}
