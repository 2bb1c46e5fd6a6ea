package io.shoal.net.plane;

import io.shoal.net.sys.Shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The host side of encrypted networks ({@code io.shoal.net.crypt}): the relay namespace
 * {@code <prefix>relay} joined to the host by a veth pair ({@value Naming#RELAY_HOST_LINK}
 * {@value Naming#RELAY_HOST_ADDRESS}/30, {@value Naming#RELAY_LINK} {@value Naming#RELAY_ADDRESS}/30),
 * where encrypted networks' VXLAN devices send (a destination on the host itself would be
 * short-circuited by the VXLAN driver to a local device), and the host table
 * {@value Naming#CRYPT_TABLE} that drops plain VXLAN of encrypted VNIs arriving from outside. Both
 * exist while some encrypted network has a sandbox here. Reads the kernel's state each time and
 * keeps none, as {@link DataPlane}.
 */
final class RelayNamespace {
    private final PlaneConfig config;
    private final Shell shell;

    RelayNamespace(PlaneConfig config, Shell shell) {
        this.config = config;
        this.shell = shell;
    }

    private String name() {
        return Naming.relay(config.sandboxPrefix());
    }

    /** With encrypted VNIs: the table and namespace as they should be; without: both gone. */
    void converge(Set<Integer> encryptedVnis, Set<String> namespaces, List<String> changes) {
        if (!encryptedVnis.isEmpty()) {
            table(encryptedVnis, changes);
            ensure(namespaces, changes);
        } else if (namespaces.contains(name())) {
            // the table first: it outlives the namespace only if this is cut short, and goes with the next apply
            table(Set.of(), changes);
            delete(changes);
        }
    }

    /** Removes the table and the namespace, whatever is there. */
    void remove(List<String> changes) {
        table(Set.of(), changes);
        if (listed().contains(name())) {
            delete(changes);
        }
    }

    /** Makes the namespace and its link if either is missing. */
    void ensure(Set<String> namespaces, List<String> changes) {
        boolean have = namespaces.contains(name());
        if (have && SandboxState.parseLinks(shell.run(concat(hostIp(), "-o", "link", "show"), null))
                .containsKey(Naming.RELAY_HOST_LINK)) {
            return;
        }
        if (have) {
            delete(changes);
        }
        run(changes, List.of("ip", "netns", "add", name()), null);
        batch(changes, hostIp(), List.of(
                "link add name " + Naming.RELAY_HOST_LINK + " type veth peer name " + Naming.RELAY_LINK + " netns " + name(),
                "addr add " + Naming.RELAY_HOST_ADDRESS + "/30 dev " + Naming.RELAY_HOST_LINK,
                // one datagram per packet: a GSO super-packet (TCP's 64 KB segments, encapsulated by
                // the VXLAN device) would otherwise reach the relay's socket whole and leave unsealable
                "link set " + Naming.RELAY_HOST_LINK + " gso_max_segs 1",
                "link set " + Naming.RELAY_HOST_LINK + " up"));
        batch(changes, List.of("ip", "-n", name()), List.of(
                "link set lo up",
                "addr add " + Naming.RELAY_ADDRESS + "/30 dev " + Naming.RELAY_LINK,
                "link set " + Naming.RELAY_LINK + " up"));
    }

    /** Deletes the link first (and its host end with it): a namespace goes asynchronously. */
    private void delete(List<String> changes) {
        try {
            batch(changes, List.of("ip", "-n", name()), List.of("link del " + Naming.RELAY_LINK));
        } catch (RuntimeException e) {
            // no link in it (half made)
        }
        run(changes, List.of("ip", "netns", "del", name()), null);
    }

    /**
     * The table that drops plain VXLAN packets of encrypted networks arriving from outside (the
     * relay hands what it opened to the VXLAN socket over loopback), as Docker drops them with an
     * iptables u32 match: the VNI is bits 32-55 of the VXLAN header, after the 8-byte UDP header.
     * Replaced whole when the set of VNIs changes; gone with the last encrypted network.
     */
    private void table(Set<Integer> vnis, List<String> changes) {
        String have;
        try {
            have = shell.run(concat(nft(), "list", "table", "ip", Naming.CRYPT_TABLE), null);
        } catch (RuntimeException e) {
            have = null;
        }
        if (vnis.isEmpty()) {
            if (have != null) {
                run(changes, concat(nft(), "delete", "table", "ip", Naming.CRYPT_TABLE), null);
            }
            return;
        }
        String marker = "shoal-encrypted port=" + config.vxlanPort() + " vnis="
                + vnis.stream().map(String::valueOf).collect(Collectors.joining(","));
        if (have != null && have.contains(marker)) {
            return;
        }
        String set = vnis.stream().map(String::valueOf).collect(Collectors.joining(", "));
        String table = "table ip " + Naming.CRYPT_TABLE + "\ndelete table ip " + Naming.CRYPT_TABLE + "\n"
                + "table ip " + Naming.CRYPT_TABLE + " {\n\tchain input {\n\t\ttype filter hook input priority raw; policy accept;\n"
                + "\t\tiifname != \"lo\" udp dport " + config.vxlanPort() + " @th,96,24 { " + set + " } counter drop comment \""
                + marker + "\"\n\t}\n}\n";
        run(changes, concat(nft(), "-f", "-"), table);
    }

    private Set<String> listed() {
        Set<String> out = new TreeSet<>();
        for (String line : shell.run("ip", "netns", "list").split("\n")) {
            out.add(line.trim().split("\\s+")[0]);
        }
        return out;
    }

    private List<String> hostIp() {
        return config.hostNetns() == null ? List.of("ip") : List.of("ip", "-n", config.hostNetns());
    }

    private List<String> nft() {
        return Argv.in(config.hostNetns(), "nft");
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> out = new ArrayList<>(head);
        out.addAll(List.of(tail));
        return out;
    }

    private void batch(List<String> changes, List<String> tool, List<String> cmds) {
        List<String> argv = new ArrayList<>(tool);
        argv.addAll(List.of("-batch", "-"));
        shell.run(argv, String.join("\n", cmds) + "\n");
        cmds.forEach(c -> changes.add(String.join(" ", tool) + " " + c));
    }

    private void run(List<String> changes, List<String> argv, String stdin) {
        changes.add(String.join(" ", argv));
        shell.run(argv, stdin);
    }
}
