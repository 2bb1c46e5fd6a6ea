package io.shoal.net.ipam;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * VXLAN network identifiers for overlay networks: the lowest free value in {@value #MIN}..{@value #MAX}.
 * Values below 4096 are left alone so that they never collide with VLAN-style ids an operator may use
 * for other VXLAN devices on the same hosts (as swarmkit does).
 */
public final class VniAllocator {
    public static final int MIN = 4096;
    public static final int MAX = (1 << 24) - 1;

    private VniAllocator() {}

    /** The lowest VNI in range that is not in {@code used}; fails when the range is exhausted. */
    public static int allocate(Collection<Integer> used) {
        Set<Integer> taken = used instanceof Set<Integer> s ? s : new HashSet<>(used);
        for (int v = MIN; v <= MAX; v++) {
            if (!taken.contains(v)) {
                return v;
            }
        }
        throw new IpamException("no free VXLAN id: all " + (MAX - MIN + 1) + " VNIs in " + MIN + ".." + MAX + " are in use");
    }

    /** Checks a VNI requested explicitly. */
    public static void validate(int vni, Collection<Integer> used) {
        if (vni < MIN || vni > MAX) {
            throw new IpamException("VXLAN id " + vni + " is out of range (" + MIN + ".." + MAX + ")");
        }
        if (used.contains(vni)) {
            throw new IpamException("VXLAN id " + vni + " is already used by another network");
        }
    }
}
