package io.shoal.net.crypt;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;

/**
 * Seals and opens VXLAN packets of encrypted networks. A sealed packet is
 * <pre>
 *   version (1) | key id (4) | sender (4, its underlay IPv4) | epoch (8) | counter (8) | AES-256-GCM(VXLAN packet) | tag (16)
 * </pre>
 * with the 25-byte header as associated data. The AES key is derived per sender and epoch from
 * the network key (HMAC-SHA256 of the sender and epoch), and the nonce is the counter, so nonces
 * never repeat under one AES key: the epoch is new at each start of a sender (its clock in
 * milliseconds, and never lower than the last one it used) and the counter only grows. Opening
 * checks, in order: the version, the key id (a key this node holds), the epoch (not older than
 * the sender's newest seen), the replay window, the tag, and that the VXLAN header's VNI is the
 * one the key is for, so a node that holds the key of one network cannot inject into another.
 *
 * <p>One instance per thread (it keeps {@link Cipher}s and counters); not thread safe.
 */
public final class PacketCipher {
    public static final int VERSION = 1;
    public static final int HEADER = 25;
    public static final int TAG = 16;
    /** bytes a sealed packet adds to the VXLAN packet */
    public static final int OVERHEAD = HEADER + TAG;
    private static final int VXLAN_HEADER = 8;
    private static final byte[] LABEL = "shoal overlay v1".getBytes(StandardCharsets.US_ASCII);

    private final int sender;
    private final long epoch;
    private long counter;
    private final Cipher cipher;
    private final Mac mac;
    /** derived keys by (key id, sender, epoch) */
    private final Map<Derived, SecretKeySpec> derived = new HashMap<>();
    /** what each (sender, key id) sent last: its newest epoch and that epoch's window */
    private final Map<Long, Peer> peers = new HashMap<>();
    private final byte[] nonce = new byte[12];

    private record Derived(int keyId, int sender, long epoch) {}

    private static final class Peer {
        long epoch;
        ReplayWindow window = new ReplayWindow();

        Peer(long epoch) {
            this.epoch = epoch;
        }
    }

    /** Why a packet did not open. */
    public enum Refusal { MALFORMED, UNKNOWN_KEY, OLD_EPOCH, REPLAY, TAMPERED, WRONG_VNI }

    /** A packet that did not open; {@link #reason} says why. */
    public static final class RefusedException extends Exception {
        private final Refusal reason;

        RefusedException(Refusal reason) {
            super(reason.name().toLowerCase(), null, false, false);
            this.reason = reason;
        }

        public Refusal reason() {
            return reason;
        }
    }

    /**
     * @param sender this node's underlay IPv4, as an int
     * @param epoch  this sender's epoch: greater than any it used before with the same keys
     */
    public PacketCipher(int sender, long epoch) {
        this.sender = sender;
        this.epoch = epoch;
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
            this.mac = Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM or HMAC-SHA256 missing from this JDK", e);
        }
    }

    /** Seals the VXLAN packet {@code plain} (position to limit) with {@code key} into {@code out} (cleared first). */
    public void seal(NetworkKey key, ByteBuffer plain, ByteBuffer out) {
        long c = counter++;
        out.clear();
        out.put((byte) VERSION).putInt(key.id()).putInt(sender).putLong(epoch).putLong(c);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, derived(key, sender, epoch), gcm(c));
            cipher.updateAAD(out.array(), out.arrayOffset(), HEADER);
            cipher.doFinal(plain, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a packet: " + e.getMessage(), e);
        }
        out.flip();
    }

    /**
     * Opens {@code sealed} (position to limit) into {@code out} (cleared first; the VXLAN packet,
     * flipped for reading), or says why not. A refused packet changes no state.
     */
    public void open(KeyRing keys, ByteBuffer sealed, ByteBuffer out) throws RefusedException {
        int start = sealed.position();
        if (sealed.remaining() < OVERHEAD + VXLAN_HEADER || sealed.get(start) != VERSION) {
            throw new RefusedException(Refusal.MALFORMED);
        }
        NetworkKey key = keys.opening(sealed.getInt(start + 1));
        if (key == null) {
            throw new RefusedException(Refusal.UNKNOWN_KEY);
        }
        int from = sealed.getInt(start + 5);
        long ep = sealed.getLong(start + 9);
        long c = sealed.getLong(start + 17);
        long peerKey = ((long) from << 32) | (key.id() & 0xffffffffL);
        Peer p = peers.get(peerKey);
        if (p != null && ep < p.epoch) {
            throw new RefusedException(Refusal.OLD_EPOCH);
        }
        boolean newEpoch = p == null || ep > p.epoch;
        if (!newEpoch && !p.window.check(c)) {
            throw new RefusedException(Refusal.REPLAY);
        }
        out.clear();
        Derived d = new Derived(key.id(), from, ep);
        SecretKeySpec aes = derived.get(d);
        SecretKeySpec k = aes;
        try {
            // a derived key is kept only once a packet opened with it: forged headers cost no memory
            if (k == null) {
                k = derive(key, from, ep);
            }
            cipher.init(Cipher.DECRYPT_MODE, k, gcm(c));
            cipher.updateAAD(sealed.array(), sealed.arrayOffset() + start, HEADER);
            ByteBuffer body = sealed.duplicate().position(start + HEADER);
            cipher.doFinal(body, out);
        } catch (AEADBadTagException e) {
            throw new RefusedException(Refusal.TAMPERED);
        } catch (GeneralSecurityException e) {
            throw new RefusedException(Refusal.MALFORMED);
        }
        out.flip();
        int vni = ((out.get(4) & 0xff) << 16) | ((out.get(5) & 0xff) << 8) | (out.get(6) & 0xff);
        if (vni != key.vni()) {
            out.clear().flip();
            throw new RefusedException(Refusal.WRONG_VNI);
        }
        if (newEpoch) {
            if (p == null) {
                p = new Peer(ep);
                peers.put(peerKey, p);
            } else {
                p.epoch = ep;
                p.window = new ReplayWindow();
            }
            derived.keySet().removeIf(x -> x.sender() == from && x.keyId() == key.id() && x.epoch() < ep);
        }
        if (aes == null) {
            derived.put(d, k);
        }
        p.window.accept(c);
    }

    /** Forgets derived keys and sender state of keys no longer held. */
    public void retain(KeyRing keys) {
        derived.keySet().removeIf(d -> keys.opening(d.keyId()) == null);
        peers.keySet().removeIf(k -> keys.opening((int) (long) k) == null);
    }

    private GCMParameterSpec gcm(long c) {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (c >>> (56 - 8 * i));
        }
        return new GCMParameterSpec(TAG * 8, nonce);
    }

    /** The sealing key of this sender, derived once. */
    private SecretKeySpec derived(NetworkKey key, int from, long ep) throws GeneralSecurityException {
        Derived d = new Derived(key.id(), from, ep);
        SecretKeySpec s = derived.get(d);
        if (s == null) {
            s = derive(key, from, ep);
            derived.put(d, s);
        }
        return s;
    }

    /** AES key = HMAC-SHA256(network key, label | sender | epoch). */
    private SecretKeySpec derive(NetworkKey key, int from, long ep) throws GeneralSecurityException {
        mac.init(new SecretKeySpec(key.raw(), "HmacSHA256"));
        mac.update(LABEL);
        mac.update(ByteBuffer.allocate(12).putInt(from).putLong(ep).array());
        return new SecretKeySpec(mac.doFinal(), "AES");
    }
}
