package io.shoal.manager.network;

import io.shoal.api.Cluster;
import io.shoal.api.Network;
import io.shoal.api.NetworkKey;
import io.shoal.manager.ca.KeyEncryption;
import io.shoal.manager.secrets.SecretCipher;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/** Makes the keys of encrypted networks: 32 random bytes, sealed for the store, under an id no network uses. */
public final class NetworkKeys {
    private NetworkKeys() {}

    /**
     * A new key for network {@code networkId}, sealed with {@code keyed}'s data key (bound to the
     * network and the key's id); ids come from {@code ids} and avoid {@code used} and 0.
     */
    public static NetworkKey newKey(Cluster keyed, String networkId, Set<Integer> used, SecretCipher cipher,
                                    RandomGenerator ids, boolean primary, long nowMs) {
        int keyId;
        do {
            keyId = ids.nextInt();
        } while (keyId == 0 || used.contains(keyId));
        byte[] key = KeyEncryption.newKey();
        try {
            return NetworkKey.newBuilder().setId(keyId).setKey(cipher.sealNetworkKey(keyed, networkId, keyId, key))
                    .setPrimary(primary).setCreatedMs(nowMs).build();
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** Every key id in use. */
    public static Set<Integer> used(List<Network> networks) {
        Set<Integer> out = new HashSet<>();
        networks.forEach(n -> n.getKeysList().forEach(k -> out.add(k.getId())));
        return out;
    }
}
