package io.shoal.net.plane;

import io.shoal.net.sys.Shell;
import java.util.ArrayList;
import java.util.List;

/**
 * The veth pair that joins a node's host namespace to its ingress sandbox (Docker's routing-mesh
 * layout): {@value #HOST_VETH} in the host with {@code 169.254.231.1/30}, {@value #SANDBOX_VETH} in the
 * sandbox with {@code 169.254.231.2/30} and the sandbox's default route through it; forwarding on in both
 * namespaces; and the node's own address on the ingress network added to the sandbox's {@code br0} (the
 * source of connections the sandbox sends on to tasks), with br0's MAC set to the one derived from that
 * address ({@link Naming#macFor}) so that other nodes program it as an ordinary {@link RemoteEndpoint}. {@link #ensure} is idempotent: it reads what
 * exists and adds only what is missing.
 */
public final class IngressLink {
    public static final String HOST_VETH = "shoal-ingress";
    public static final String SANDBOX_VETH = "ingress0";
    public static final String HOST_ADDRESS = "169.254.231.1";
    public static final String SANDBOX_ADDRESS = "169.254.231.2";
    public static final int PREFIX = 30;

    private final Shell shell;
    private final String hostNetns;
    private final String sandbox;

    /** {@code hostNetns}: null for this process's own namespace, or a name under /run/netns. */
    public IngressLink(Shell shell, String hostNetns, String sandbox) {
        this.shell = shell;
        this.hostNetns = hostNetns;
        this.sandbox = sandbox;
    }

    /**
     * Makes the link exist; {@code nodeAddress} ("a.b.c.d/n", may be null) is this node's address on the
     * ingress network, added to the sandbox's br0. Returns the commands run.
     */
    public List<String> ensure(String nodeAddress) {
        List<String> ran = new ArrayList<>();
        String sbLinks = shell.run("ip", "-n", sandbox, "-o", "link", "show");
        if (!SandboxState.parseLinks(sbLinks).containsKey(SANDBOX_VETH)) {
            String hostLinks = shell.run(ip("-o", "link", "show"), null);
            List<String> c = new ArrayList<>();
            if (SandboxState.parseLinks(hostLinks).containsKey(HOST_VETH)) {
                c.add("link del " + HOST_VETH); // half made: its peer is gone
            }
            c.add("link add name " + HOST_VETH + " type veth peer name " + SANDBOX_VETH + " netns " + sandbox);
            c.add("addr add " + HOST_ADDRESS + "/" + PREFIX + " dev " + HOST_VETH);
            c.add("link set " + HOST_VETH + " up");
            batch(ip("-batch", "-"), c, ran);
            batch(List.of("ip", "-n", sandbox, "-batch", "-"), List.of(
                    "addr add " + SANDBOX_ADDRESS + "/" + PREFIX + " dev " + SANDBOX_VETH,
                    "link set " + SANDBOX_VETH + " up",
                    "route replace default via " + HOST_ADDRESS + " dev " + SANDBOX_VETH), ran);
        }
        if (nodeAddress != null) {
            List<String> c = new ArrayList<>();
            String addrs = shell.run("ip", "-n", sandbox, "-o", "-4", "addr", "show", "dev", Naming.BRIDGE);
            if (!SandboxState.parseAddrs(addrs).contains(nodeAddress)) {
                c.add("addr add " + nodeAddress + " dev " + Naming.BRIDGE);
            }
            // other nodes reach this address as an ordinary remote endpoint (neighbour and FDB entry
            // for the MAC derived from it), so br0 must carry that MAC
            String mac = Naming.macFor(nodeAddress.substring(0, nodeAddress.indexOf('/')));
            if (!shell.run("ip", "-n", sandbox, "-o", "link", "show", "dev", Naming.BRIDGE).contains("link/ether " + mac)) {
                c.add("link set " + Naming.BRIDGE + " address " + mac);
            }
            if (!c.isEmpty()) {
                batch(List.of("ip", "-n", sandbox, "-batch", "-"), c, ran);
            }
        }
        forwarding(hostNetns, ran);
        forwarding(sandbox, ran);
        return ran;
    }

    /** Deletes the host end (the sandbox end goes with it). */
    public void remove() {
        if (SandboxState.parseLinks(shell.run(ip("-o", "link", "show"), null)).containsKey(HOST_VETH)) {
            shell.run(ip("link", "del", HOST_VETH), null);
        }
    }

    private void forwarding(String netns, List<String> ran) {
        List<String> argv = new ArrayList<>();
        if (netns != null) {
            argv.addAll(List.of("ip", "netns", "exec", netns));
        }
        argv.addAll(List.of("sysctl", "-n", "net.ipv4.ip_forward"));
        if (!"1".equals(shell.run(argv, null).strip())) {
            argv.set(argv.size() - 2, "-w");
            argv.set(argv.size() - 1, "net.ipv4.ip_forward=1");
            shell.run(argv, null);
            ran.add(String.join(" ", argv));
        }
    }

    private List<String> ip(String... args) {
        List<String> argv = new ArrayList<>(hostNetns == null ? List.of("ip") : List.of("ip", "-n", hostNetns));
        argv.addAll(List.of(args));
        return argv;
    }

    private void batch(List<String> argv, List<String> cmds, List<String> ran) {
        shell.run(argv, String.join("\n", cmds) + "\n");
        cmds.forEach(c -> ran.add(String.join(" ", argv.subList(0, argv.size() - 2)) + " " + c));
    }
}
