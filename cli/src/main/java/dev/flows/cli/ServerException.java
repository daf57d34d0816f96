package dev.flows.cli;

/** A failed call to the server, as one line: "server HOST:PORT: UNAVAILABLE: ..." (exit code 1). */
final class ServerException extends CliFailure {
    ServerException(String target, io.grpc.StatusRuntimeException e) {
        super("server " + target + ": " + e.getStatus().getCode()
                + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription().replace('\n', ' ')));
    }
}
