package dev.flows.cli;

import dev.flows.observer.config.LowerCaseEnum;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code flows completion bash|zsh}: a completion script generated from the command model, so it
 * always knows every subcommand and flag. zsh uses the same script through bashcompinit, which
 * the script loads itself when it runs under zsh.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a shell completion script.",
            "bash: source <(flows completion bash)",
            "zsh:  source <(flows completion zsh)   (the bash script, loaded through zsh's bashcompinit)"})
public final class CompletionCommand implements Callable<Integer> {
    enum Shell { BASH, ZSH }

    static final class ShellConverter extends LowerCaseEnum<Shell> { ShellConverter() { super(Shell.class); } }

    @Parameters(paramLabel = "SHELL", converter = ShellConverter.class, description = "bash or zsh.")
    Shell shell;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        String script = AutoComplete.bash("flows", spec.root().commandLine());
        PrintWriter out = spec.commandLine().getOut();
        if (shell == Shell.ZSH) {
            out.println("# flows completion for zsh: the bash completion script, run through zsh's bashcompinit.");
        }
        out.print(script);
        out.flush();
        return 0;
    }
}
