package io.shoal.net.nft;

import io.shoal.net.nft.NatMaps.Frontend;
import io.shoal.net.nft.NatTable.Result;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One node's ingress routing mesh rules, kept applied: table {@value IngressRules#TABLE} in the host
 * namespace and in the ingress sandbox. The caller passes every published port on each change; each
 * table gets only the difference, one {@code nft -f} transaction each (see {@link NatTable} for the
 * first apply and recovery). Ports are added to the sandbox before the host sends traffic there, and
 * removed from the host first.
 *
 * <pre>
 * IngressRuleset mesh = new IngressRuleset(nft, null, "shoal-abcd1234-ingress", "10.255.0.3");
 * mesh.apply(List.of(IngressPort.of("web", Protocol.TCP, 8080, 80, List.of("10.255.0.5", "10.255.0.6"))));
 * </pre>
 */
public final class IngressRuleset {
    private final NatTable host;
    private final NatTable sandbox;
    private final String sandboxAddress;
    private Set<String> hostKeys = Set.of();

    /**
     * @param hostNetns   the node's host namespace: null for this process's own, or a name/path
     * @param sandboxNetns the ingress sandbox
     * @param snatAddress  this node's address on the ingress network (on the sandbox's br0); null: masquerade
     */
    public IngressRuleset(Nft nft, String hostNetns, String sandboxNetns, String snatAddress) {
        this(nft, hostNetns, sandboxNetns, IngressRules.SANDBOX_ADDRESS, snatAddress);
    }

    public IngressRuleset(Nft nft, String hostNetns, String sandboxNetns, String sandboxAddress, String snatAddress) {
        this.sandboxAddress = sandboxAddress;
        this.host = new NatTable(nft, hostNetns, IngressRules.hostLayout(IngressRules.TABLE));
        this.sandbox = new NatTable(nft, sandboxNetns, IngressRules.sandboxLayout(IngressRules.TABLE, sandboxAddress, snatAddress));
    }

    /** Makes both tables publish exactly {@code ports}; returns what was done to the host's table, then the sandbox's. */
    public synchronized List<Result> apply(Collection<IngressPort> ports) {
        List<Frontend> h = IngressRules.hostFrontends(ports, sandboxAddress);
        List<Frontend> s = IngressRules.sandboxFrontends(ports);
        Set<String> keys = new HashSet<>();
        h.forEach(f -> keys.add(f.key()));
        if (!keys.containsAll(hostKeys)) { // ports go: stop sending them to the sandbox first
            Result hr = host.apply(h);
            hostKeys = keys;
            return List.of(hr, sandbox.apply(s));
        }
        Result sr = sandbox.apply(s);
        Result hr = host.apply(h);
        hostKeys = keys;
        return List.of(hr, sr);
    }

    /** Rebuilds either table if it is missing or differs from what was applied; false when one had to be. */
    public synchronized boolean verify() {
        boolean h = host.verify();
        boolean s = sandbox.verify();
        return h && s;
    }

    /** Deletes both tables. */
    public synchronized void remove() {
        hostKeys = Set.of();
        host.remove();
        sandbox.remove();
    }
}
