package io.shoal.cli.commands;

import com.google.protobuf.ByteString;
import io.shoal.api.Annotations;
import io.shoal.api.CreateSecretRequest;
import io.shoal.api.GetSecretRequest;
import io.shoal.api.ListSecretsRequest;
import io.shoal.api.RemoveSecretRequest;
import io.shoal.api.Secret;
import io.shoal.api.SecretSpec;
import io.shoal.cli.output.Json;
import io.shoal.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Secrets, as {@code docker secret}: a value stored encrypted by the managers and given only to the
 * containers of services that name it (at /run/secrets, in memory). Nothing here prints a value.
 */
@Command(name = "secret", mixinStandardHelpOptions = true, description = "Manage secrets.",
        subcommands = {SecretCommand.Create.class, SecretCommand.Ls.class, SecretCommand.Inspect.class, SecretCommand.Rm.class})
public final class SecretCommand implements Runnable {
    /** swarm mode's limit (the managers check it too) */
    static final int MAX_SIZE = 500 * 1024;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: create, ls, inspect or rm");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a secret from a file, or from standard input with '-' (at most 500 KiB).")
    static final class Create extends ClientCommand {
        @Option(names = {"-l", "--label"}, description = "Secret label K=V (repeatable).") List<String> labels = new ArrayList<>();
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", paramLabel = "FILE|-") String file;

        @Override
        protected int execute() throws Exception {
            Annotations.Builder a = Annotations.newBuilder().setName(name).putAllLabels(FileObjectsOutput.labels(labels, spec.commandLine()));
            byte[] data = FileArgument.read("secret", file, System.in, MAX_SIZE);
            Secret s = control().createSecret(CreateSecretRequest.newBuilder()
                    .setSpec(SecretSpec.newBuilder().setAnnotations(a).setData(ByteString.copyFrom(data))).build());
            out().println(s.getId());
            return 0;
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List secrets.")
    static final class Ls extends ClientCommand {
        @Mixin FormatOptions fmt;

        @Override
        protected int execute() {
            boolean json = fmt.json(spec.commandLine());
            List<Secret> secrets = new ArrayList<>(control().listSecrets(ListSecretsRequest.getDefaultInstance()).getSecretsList());
            secrets.sort(Comparator.comparing(s -> s.getSpec().getAnnotations().getName()));
            if (fmt.quiet) {
                secrets.forEach(s -> out().println(s.getId()));
                return 0;
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            Table t = new Table("ID", "NAME", "DRIVER", "CREATED", "UPDATED");
            for (Secret s : secrets) {
                rows.add(FileObjectsOutput.row(s.getId(), s.getSpec().getAnnotations(), s.getMeta(), true));
                t.row(s.getId(), s.getSpec().getAnnotations().getName(), "", FileObjectsOutput.ago(s.getMeta().getCreatedMs()),
                        FileObjectsOutput.ago(s.getMeta().getUpdatedMs()));
            }
            if (json) {
                Json.print(out(), rows);
            } else {
                t.print(out());
            }
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show secrets in detail (JSON; never the value).")
    static final class Inspect extends ClientCommand {
        @Parameters(arity = "1..*", paramLabel = "SECRET") List<String> refs;

        @Override
        protected int execute() {
            List<Object> out = new ArrayList<>();
            for (String ref : refs) {
                Secret s = control().getSecret(GetSecretRequest.newBuilder().setSecret(ref).build());
                out.add(FileObjectsOutput.inspect(s.getId(), s.getSpec().getAnnotations(), s.getMeta(), null));
            }
            Json.print(out(), out);
            return 0;
        }
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true, description = "Remove secrets no service uses.")
    static final class Rm extends ClientCommand {
        @Parameters(arity = "1..*", paramLabel = "SECRET") List<String> refs;

        @Override
        protected int execute() {
            for (String ref : refs) {
                control().removeSecret(RemoveSecretRequest.newBuilder().setSecret(ref).build());
                out().println(ref);
            }
            return 0;
        }
    }
}
