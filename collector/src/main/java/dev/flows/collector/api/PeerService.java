package dev.flows.collector.api;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Node;
import dev.flows.proto.peer.ChangeNotification;
import dev.flows.proto.peer.ChangeNotificationType;
import dev.flows.proto.peer.NotifyRequest;
import dev.flows.proto.peer.PeerGrpc;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/**
 * Hubble's peer.Peer: tells a relay where every node's Observer is. Sends one PEER_ADDED per node
 * of the cluster state, then keeps the stream open (the relay treats a closed stream as a
 * failure and reconnects).
 */
public final class PeerService extends PeerGrpc.PeerImplBase {
    /** The port collectors serve the Observer API on. */
    public static final int DEFAULT_PORT = 4244;

    private final Supplier<ClusterState> state;
    private final int port;

    public PeerService(Supplier<ClusterState> state, int port) {
        this.state = state;
        this.port = port;
    }

    @Override
    public void notify(NotifyRequest req, StreamObserver<ChangeNotification> observer) {
        ServerCallStreamObserver<ChangeNotification> out = (ServerCallStreamObserver<ChangeNotification>) observer;
        out.setOnCancelHandler(() -> {});
        for (Node n : state.get().nodes()) {
            out.onNext(ChangeNotification.newBuilder()
                    .setName(n.name())
                    .setAddress(address(n.internalIP(), port))
                    .setType(ChangeNotificationType.PEER_ADDED)
                    .build());
        }
        // Left open on purpose: completes only when the client cancels or the server stops.
    }

    static String address(String ip, int port) {
        return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
    }
}
