package dev.flows.collector.bpf;

import java.nio.ByteBuffer;

/** Receives one ring buffer record. Must copy what it keeps: the memory is reused after return. */
@FunctionalInterface
public interface RecordHandler {
    void onRecord(ByteBuffer buf, int offset, int length);
}
