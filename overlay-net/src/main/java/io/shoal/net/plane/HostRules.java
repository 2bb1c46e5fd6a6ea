package io.shoal.net.plane;

import io.shoal.net.sys.Shell;

import java.util.ArrayList;
import java.util.List;

/**
 * The host namespace's side of the uplinks, shared by every network that is not internal: the
 * table {@value Naming#HOST_TABLE} (isolation between uplinks, masquerade, forwarding on) and, on a
 * host whose own firewall drops forwarded traffic, two accept rules in iptables' FORWARD chain.
 * Reads the kernel's state each time and keeps none, as {@link DataPlane}.
 */
final class HostRules {
    private static final String FORWARD = "echo 1 > /proc/sys/net/ipv4/ip_forward";

    /** Marks the rules {@link #openHostFirewall} adds to the host's iptables FORWARD chain. */
    static final String FIREWALL_MARK = "shoal-uplinks";

    /** The two rules, as {@code iptables} arguments after the chain. */
    private static final List<List<String>> FIREWALL_RULES = List.of(
            List.of("-i", Naming.UPLINK_HOST_PREFIX + "+", "-m", "comment", "--comment", FIREWALL_MARK, "-j", "ACCEPT"),
            List.of("-o", Naming.UPLINK_HOST_PREFIX + "+", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED,DNAT",
                    "-m", "comment", "--comment", FIREWALL_MARK, "-j", "ACCEPT"));

    private final PlaneConfig config;
    private final Shell shell;

    HostRules(PlaneConfig config, Shell shell) {
        this.config = config;
        this.shell = shell;
    }

    /**
     * The host side of the uplinks, one small table replaced whole (its content never depends on
     * the networks): traffic between two uplinks is dropped unless the host translated it (a
     * published port), so networks stay apart; traffic from an uplink to anywhere else leaves with
     * the host's address; and the host forwards.
     */
    void converge(List<String> changes) {
        String wanted = "table ip " + Naming.HOST_TABLE + " {\n"
                + "\tchain forward {\n\t\ttype filter hook forward priority filter - 1; policy accept;\n"
                + "\t\tiifname \"" + Naming.UPLINK_HOST_PREFIX + "*\" oifname \"" + Naming.UPLINK_HOST_PREFIX + "*\" ct status dnat accept\n"
                + "\t\tiifname \"" + Naming.UPLINK_HOST_PREFIX + "*\" oifname \"" + Naming.UPLINK_HOST_PREFIX + "*\" drop\n\t}\n"
                + "\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
                + "\t\tiifname \"" + Naming.UPLINK_HOST_PREFIX + "*\" oifname != \"" + Naming.UPLINK_HOST_PREFIX + "*\" masquerade\n\t}\n"
                + "}\n";
        String have;
        try {
            have = shell.run(Argv.concat(hostNft(), "list", "table", "ip", Naming.HOST_TABLE), null);
        } catch (RuntimeException e) {
            have = "";
        }
        if (!have.contains("masquerade") || !have.contains("ct status dnat accept")) {
            run(changes, Argv.concat(hostNft(), "-f", "-"), "table ip " + Naming.HOST_TABLE + "\ndelete table ip " + Naming.HOST_TABLE + "\n" + wanted);
            run(changes, Argv.in(config.hostNetns(), "sh", "-c", FORWARD), null);
        }
        openHostFirewall(changes);
    }

    /**
     * A host whose own firewall drops forwarded traffic (Docker sets iptables' FORWARD policy to
     * DROP; so do hardened hosts) would drop everything the uplinks carry: a verdict of drop in any
     * base chain is final, so an accept in our own table cannot help. There, as Docker does for its
     * bridges, the FORWARD chain gets two rules, first: what comes from an uplink goes out, and what
     * goes to one comes in if it belongs to a connection from it or was translated by the host (a
     * published port). Isolation between networks is unchanged: {@code shoal_host}'s forward chain
     * runs before the filter chain and drops uplink-to-uplink traffic first. Checked on every apply,
     * so a firewall set up after the worker started (Docker installed later) is seen; without
     * {@code iptables} there is no such chain to open.
     */
    private void openHostFirewall(List<String> changes) {
        String chain;
        try {
            chain = shell.run(iptables("-S", List.of()), null);
        } catch (RuntimeException e) {
            return; // no iptables here, or no FORWARD chain
        }
        if (!chain.contains("-P FORWARD DROP") || chain.split(FIREWALL_MARK, -1).length - 1 == FIREWALL_RULES.size()) {
            return;
        }
        removeHostFirewall(); // a partial set (edited by hand): made again whole
        for (int i = FIREWALL_RULES.size() - 1; i >= 0; i--) {
            run(changes, iptables("-I", FIREWALL_RULES.get(i)), null);
        }
    }

    /** Takes {@link #openHostFirewall}'s rules out of the host's FORWARD chain, if any are there. */
    private void removeHostFirewall() {
        for (List<String> rule : FIREWALL_RULES) {
            for (int guard = 0; guard < 8; guard++) { // one delete per copy
                try {
                    shell.run(iptables("-D", rule), null);
                } catch (RuntimeException e) {
                    break; // none left (or no iptables)
                }
            }
        }
    }

    /** {@code iptables OP FORWARD RULE...} in the host's namespace. */
    private List<String> iptables(String op, List<String> rule) {
        List<String> argv = new ArrayList<>(Argv.in(config.hostNetns(), "iptables", "-w", "5", op, "FORWARD"));
        argv.addAll(rule);
        return argv;
    }

    /** Removes the host table (when the last sandbox is gone or on cleanup). */
    void remove() {
        removeHostFirewall();
        try {
            shell.run(Argv.concat(hostNft(), "delete", "table", "ip", Naming.HOST_TABLE), null);
        } catch (RuntimeException e) {
            // not there
        }
    }

    private List<String> hostNft() {
        return Argv.in(config.hostNetns(), "nft");
    }


    private void run(List<String> changes, List<String> argv, String stdin) {
        changes.add(String.join(" ", argv));
        shell.run(argv, stdin);
    }
}
