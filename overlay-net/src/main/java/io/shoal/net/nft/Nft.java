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
        return listTable(netns, "ip shoal");
    }

    /** {@code nft list table <family> <name>}, e.g. {@code table} = "ip shoal_vip"; fails when there is no such table. */
    public String listTable(String netns, String table) {
        List<String> args = new ArrayList<>(List.of("list", "table"));
        args.addAll(List.of(table.trim().split("\\s+")));
        return shell.run(argv(netns, args.toArray(String[]::new)), null);
    }

    /** Deletes a table if it exists (one transaction: add, then delete, so a missing table is no error). */
    public void deleteTable(String netns, String table) {
        apply(netns, "add table " + table + "\ndelete table " + table + "\n");
    }

    /** The tables in the namespace, as "family name" (e.g. "ip shoal_vip"). */
    public List<String> tables(String netns) {
        List<String> out = new ArrayList<>();
        for (String line : shell.run(argv(netns, "list", "tables"), null).split("\n")) {
            String[] t = line.trim().split("\\s+");
            if (t.length == 3 && t[0].equals("table")) {
                out.add(t[1] + " " + t[2]);
            }
        }
        return out;
    }

    /** Deletes every table whose name starts with "shoal" (what Shoal made); returns them. */
    public List<String> deleteShoalTables(String netns) {
        List<String> gone = new ArrayList<>();
        for (String t : tables(netns)) {
            if (t.substring(t.indexOf(' ') + 1).startsWith("shoal")) {
                apply(netns, "delete table " + t + "\n");
                gone.add(t);
            }
        }
        return gone;
    }

    static List<String> argv(String netns, String... args) {
        List<String> argv = new ArrayList<>();
        if (netns != null) {
            // nsenter rather than `ip netns exec` for names too: no private mount namespace and /sys remount
            // per call, which is a few milliseconds of every change
            argv.addAll(List.of("nsenter", "--net=" + (netns.contains("/") ? netns : "/run/netns/" + netns)));
        }
        argv.add("nft");
        argv.addAll(List.of(args));
        return argv;
    }
}
