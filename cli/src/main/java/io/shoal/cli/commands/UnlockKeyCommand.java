package io.shoal.cli.commands;

import io.shoal.api.ClusterSecurityGrpc;
import io.shoal.api.GetUnlockKeyRequest;
import io.shoal.api.RotateUnlockKeyRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;

/** {@code shoal unlock-key [--rotate] [-q]}: the cluster's unlock key (docker's {@code swarm unlock-key}). */
@Command(name = "unlock-key", mixinStandardHelpOptions = true,
        description = {"Show the key that unlocks a manager restarted with autolock on, or rotate it.",
                "--rotate makes a new key; every manager re-locks its key file under it. A manager that was down meanwhile "
                        + "still opens with the previous key: keep it until every manager has run since."})
public final class UnlockKeyCommand extends ClientCommand {
    static final String NOT_ENABLED = "autolock is not enabled on this cluster: turn it on with 'shoal cluster update --autolock=true'";

    @Option(names = "--rotate", description = "Make a new unlock key.")
    boolean rotate;

    @Option(names = {"-q", "--quiet"}, description = "Print only the key.")
    boolean quiet;

    @Override
    protected int execute() {
        var security = ClusterSecurityGrpc.newBlockingStub(channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
        String key = rotate ? security.rotateUnlockKey(RotateUnlockKeyRequest.getDefaultInstance()).getUnlockKey()
                : security.getUnlockKey(GetUnlockKeyRequest.getDefaultInstance()).getUnlockKey();
        if (key.isEmpty()) {
            throw new IllegalStateException(NOT_ENABLED);
        }
        if (quiet) {
            out().println(key);
            return 0;
        }
        if (rotate) {
            out().printf("Successfully rotated manager unlock key.%n%n");
        }
        print(out(), key);
        return 0;
    }

    /** Docker's text around an unlock key (init --autolock, cluster update --autolock=true, unlock-key). */
    static void print(PrintWriter out, String key) {
        out.printf("To unlock a swarm manager after it restarts, run `shoal unlock` and provide the following key:%n%n    %s%n%n"
                + "Remember to store this key in a password manager: without it you cannot restart a locked manager.%n", key);
    }
}
