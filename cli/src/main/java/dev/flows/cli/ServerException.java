package dev.flows.cli;

import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.net.UnknownHostException;

/** A failed call to the server, as one line: "server HOST:PORT: UNAVAILABLE: ..." (exit code 1). */
final class ServerException extends CliFailure {
    ServerException(String target, StatusRuntimeException e) {
        super("server " + target + ": " + e.getStatus().getCode()
                + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription().replace('\n', ' '))
                + socketCause(e));
    }

    /**
     * gRPC says only "io exception" when no connection could be made; the socket's own message
     * names the address that refused, which matters when a name has several (localhost is ::1
     * first on a fresh Debian 12, and a server may listen on 127.0.0.1 only).
     */
    private static String socketCause(Throwable e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException) {
                // Netty's epoll transport puts its system call first: "finishConnect(..) failed: Connection refused: /ADDR"
                String m = String.valueOf(t.getMessage());
                return " (" + m.substring(m.lastIndexOf("failed: ") < 0 ? 0 : m.lastIndexOf("failed: ") + "failed: ".length()) + ")";
            }
        }
        return "";
    }
}
