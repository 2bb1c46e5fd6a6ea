package io.shoal.net.crypt;

import java.util.Arrays;

/**
 * One key of an encrypted network, as the managers made it.
 *
 * @param id      the key id, unique in the cluster; carried in every sealed packet
 * @param vni     the network the key is for: a packet it opens must carry this VNI
 * @param key     32 bytes (AES-256)
 * @param primary whether senders use it; the others only open (a rotation's previous key)
 */
public record NetworkKey(int id, int vni, byte[] key, boolean primary) {
    public NetworkKey {
        if (key.length != 32) {
            throw new IllegalArgumentException("a network key is 32 bytes, not " + key.length);
        }
        key = key.clone();
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    byte[] raw() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkKey k && k.id == id && k.vni == vni && k.primary == primary && Arrays.equals(k.key, key);
    }

    @Override
    public int hashCode() {
        return 31 * Integer.hashCode(id) + Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return "NetworkKey[id=" + Integer.toUnsignedString(id) + ", vni=" + vni + ", primary=" + primary + "]";
    }
}
