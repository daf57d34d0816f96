package dev.flows.relay.peers;

import dev.flows.proto.relay.NodeState;

/** Told when a peer changes state: NODE_CONNECTED, NODE_UNAVAILABLE, or NODE_GONE when discovery drops it. */
@FunctionalInterface
public interface PeerListener {
    void changed(Peer peer, NodeState state, String message);
}
