package dev.flows.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short system commands (ip, sysctl) and turns a failure into a one-line {@link LabException}. */
final class Commands {
    /** The result of a command that was allowed to fail. */
    record Result(int exit, String out, String err) {}

    Result run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            // Output is small (a few lines); read both before waiting so neither pipe can fill up.
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new LabException("command timed out: " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), out, err);
        } catch (IOException e) {
            throw new LabException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + String.join(" ", cmd));
        }
    }

    /** Runs a command that must succeed; returns its stdout. */
    String check(String... cmd) {
        Result r = run(List.of(cmd));
        if (r.exit() != 0) {
            String why = r.err().isBlank() ? r.out() : r.err();
            throw new LabException("command failed (exit " + r.exit() + "): " + String.join(" ", cmd) + ": "
                    + why.strip().replace('\n', ' '));
        }
        return r.out();
    }

    /** Runs a command whose failure is acceptable (cleanup of things that may not exist). */
    boolean tryRun(String... cmd) {
        return run(List.of(cmd)).exit() == 0;
    }
}
