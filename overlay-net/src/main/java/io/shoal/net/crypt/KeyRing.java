package io.shoal.net.crypt;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The keys a node holds: by id to open, the primary one by VNI to seal. Immutable. */
public final class KeyRing {
    private final Map<Integer, NetworkKey> byId = new HashMap<>();
    private final Map<Integer, NetworkKey> primary = new HashMap<>();

    public KeyRing(Collection<NetworkKey> keys) {
        for (NetworkKey k : keys) {
            byId.put(k.id(), k);
            if (k.primary()) {
                primary.put(k.vni(), k);
            }
        }
    }

    public static KeyRing empty() {
        return new KeyRing(List.of());
    }

    /** The key senders use for {@code vni}, or null: the network is not encrypted here. */
    public NetworkKey sealing(int vni) {
        return primary.get(vni);
    }

    /** The key with this id, or null. */
    public NetworkKey opening(int id) {
        return byId.get(id);
    }

    public Collection<NetworkKey> keys() {
        return byId.values();
    }
}
