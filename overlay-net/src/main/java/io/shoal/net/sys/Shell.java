package io.shoal.net.sys;

import java.util.List;

/** Runs one command to completion. Implementations: {@link ProcessShell}; tests may record instead. */
public interface Shell {
    /**
     * Runs {@code argv} with {@code stdin} (may be null) on its standard input and returns its standard
     * output; throws {@link CommandException} when it exits non-zero.
     */
    String run(List<String> argv, String stdin);

    default String run(String... argv) {
        return run(List.of(argv), null);
    }
}
