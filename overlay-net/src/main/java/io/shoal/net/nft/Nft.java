package io.shoal.net.nft;

import io.shoal.net.sys.Shell;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code nft} in a network namespace: by name (/run/netns), by path (/proc/PID/ns/net), or null for our own. */
public final class Nft {
    private final Shell shell;

    public Nft(Shell shell) {
        this.shell = shell;
    }

    /** Applies a transaction with {@code nft -f -}: all of it or, on any error, none of it. */
    public void apply(String netns, String transaction) {
        if (transaction.isBlank()) {
            return;
        }
        shell.run(argv(netns, "-f", "-"), transaction);
    }

    /** {@code nft list table ip shoal}. */
    public String listTable(String netns) {
        return shell.run(argv(netns, "list", "table", "ip", "shoal"), null);
    }

    static List<String> argv(String netns, String... args) {
        List<String> argv = new ArrayList<>();
        if (netns != null) {
            argv.addAll(netns.contains("/") ? List.of("nsenter", "--net=" + netns) : List.of("ip", "netns", "exec", netns));
        }
        argv.add("nft");
        argv.addAll(List.of(args));
        return argv;
    }
}
