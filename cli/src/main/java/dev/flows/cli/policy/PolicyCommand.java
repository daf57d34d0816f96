package dev.flows.cli.policy;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code flows policy}: NetworkPolicies from what really flows. */
@Command(name = "policy", description = "NetworkPolicies from observed flows.", mixinStandardHelpOptions = true,
        subcommands = {GenerateCommand.class})
public final class PolicyCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }
}
