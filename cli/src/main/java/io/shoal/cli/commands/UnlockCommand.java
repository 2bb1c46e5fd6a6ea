package io.shoal.cli.commands;

import io.shoal.api.UnlockRequest;
import picocli.CommandLine.Command;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** {@code shoal unlock}: gives a locked manager (autolock) its unlock key, read from stdin (docker's {@code swarm unlock}). */
@Command(name = "unlock", mixinStandardHelpOptions = true,
        description = {"Unlock a manager that restarted with autolock on: reads the unlock key from stdin (prompts on a terminal).",
                "The key is what 'shoal init --autolock' or 'shoal unlock-key' printed (SWMKEY-1-...)."})
public final class UnlockCommand extends ClientCommand {
    static final String PREFIX = "SWMKEY-1-";

    @Override
    protected int execute() throws IOException {
        String key = readKey();
        if (key.isEmpty()) {
            throw usage("no unlock key given on stdin: provide the key 'shoal init --autolock' or 'shoal unlock-key' printed");
        }
        if (!key.startsWith(PREFIX)) {
            throw usage("that is not an unlock key: it starts with " + PREFIX);
        }
        local(60).unlock(UnlockRequest.newBuilder().setUnlockKey(key).build());
        return 0;
    }

    private static String readKey() throws IOException {
        Console console = System.console();
        if (console != null && console.isTerminal()) {
            char[] typed = console.readPassword("Enter unlock key: ");
            return typed == null ? "" : new String(typed).trim();
        }
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        return line == null ? "" : line.trim();
    }
}
