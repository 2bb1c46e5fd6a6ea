package io.shoal.net.crypt;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacketCipherTest {
    private static final int A = 0x0a000001;
    private static final int B = 0x0a000002;
    private final NetworkKey key = key(7, 4242, 1, true);
    private final KeyRing ring = new KeyRing(List.of(key));

    static NetworkKey key(int id, int vni, int fill, boolean primary) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) fill);
        return new NetworkKey(id, vni, k, primary);
    }

    /** A VXLAN packet of {@code vni} carrying {@code text}. */
    static ByteBuffer vxlan(int vni, String text) {
        byte[] body = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(8 + body.length);
        b.put((byte) 0x08).put(new byte[3]).put((byte) (vni >>> 16)).put((byte) (vni >>> 8)).put((byte) vni).put((byte) 0);
        return b.put(body).flip();
    }

    static ByteBuffer buf() {
        return ByteBuffer.allocate(2048);
    }

    private ByteBuffer seal(PacketCipher c, NetworkKey k, ByteBuffer plain) {
        ByteBuffer out = buf();
        c.seal(k, plain, out);
        return out;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void opensWhatItSealsAndHidesThePlaintext() throws Exception {
        PacketCipher a = new PacketCipher(A, 100);
        PacketCipher b = new PacketCipher(B, 200);
        ByteBuffer plain = vxlan(4242, "marker-payload-123");
        byte[] expected = bytes(plain);
        ByteBuffer sealed = seal(a, key, plain);
        assertEquals(expected.length + PacketCipher.OVERHEAD, sealed.remaining());
        String wire = new String(bytes(sealed), StandardCharsets.ISO_8859_1);
        assertTrue(!wire.contains("marker-payload"), "plaintext on the wire");
        ByteBuffer out = buf();
        b.open(ring, sealed, out);
        assertArrayEquals(expected, bytes(out));
    }

    @Test
    void aFlippedBitAnywhereIsRefused() throws Exception {
        PacketCipher a = new PacketCipher(A, 100);
        ByteBuffer sealed = seal(a, key, vxlan(4242, "hello"));
        for (int i = 0; i < sealed.remaining(); i++) {
            PacketCipher b = new PacketCipher(B, 200);
            ByteBuffer t = ByteBuffer.wrap(bytes(sealed));
            t.put(i, (byte) (t.get(i) ^ 0x10));
            var e = assertThrows(PacketCipher.RefusedException.class, () -> b.open(ring, t, buf()), "byte " + i);
            assertTrue(e.reason() != null);
        }
    }

    @Test
    void aReplayIsRefusedAndReorderingWithinTheWindowIsNot() throws Exception {
        PacketCipher a = new PacketCipher(A, 100);
        PacketCipher b = new PacketCipher(B, 200);
        ByteBuffer p0 = seal(a, key, vxlan(4242, "zero"));
        ByteBuffer p1 = seal(a, key, vxlan(4242, "one"));
        byte[] first = bytes(p0);
        b.open(ring, p1, buf());
        b.open(ring, ByteBuffer.wrap(first), buf()); // late, but not seen: accepted
        var e = assertThrows(PacketCipher.RefusedException.class, () -> b.open(ring, ByteBuffer.wrap(first), buf()));
        assertEquals(PacketCipher.Refusal.REPLAY, e.reason());
    }

    @Test
    void aPacketOfAnEarlierStartOfTheSenderIsRefused() throws Exception {
        PacketCipher before = new PacketCipher(A, 100);
        byte[] old = bytes(seal(before, key, vxlan(4242, "old")));
        PacketCipher after = new PacketCipher(A, 101);
        PacketCipher b = new PacketCipher(B, 200);
        b.open(ring, seal(after, key, vxlan(4242, "new")), buf());
        var e = assertThrows(PacketCipher.RefusedException.class, () -> b.open(ring, ByteBuffer.wrap(old), buf()));
        assertEquals(PacketCipher.Refusal.OLD_EPOCH, e.reason());
    }

    @Test
    void anUnknownKeyIdAndAnotherNetworksKeyAreRefused() throws Exception {
        PacketCipher a = new PacketCipher(A, 100);
        NetworkKey other = key(9, 4242, 2, true);
        var e = assertThrows(PacketCipher.RefusedException.class,
                () -> new PacketCipher(B, 1).open(ring, seal(a, other, vxlan(4242, "x")), buf()));
        assertEquals(PacketCipher.Refusal.UNKNOWN_KEY, e.reason());
        // a holder of network 5000's key sealing a packet for VNI 4242
        NetworkKey net5000 = key(11, 5000, 3, true);
        KeyRing both = new KeyRing(List.of(key, net5000));
        e = assertThrows(PacketCipher.RefusedException.class,
                () -> new PacketCipher(B, 1).open(both, seal(a, net5000, vxlan(4242, "x")), buf()));
        assertEquals(PacketCipher.Refusal.WRONG_VNI, e.reason());
    }

    @Test
    void aSameIdWithAnotherKeyDoesNotOpen() {
        PacketCipher a = new PacketCipher(A, 100);
        KeyRing wrong = new KeyRing(List.of(key(7, 4242, 5, true)));
        var e = assertThrows(PacketCipher.RefusedException.class, () -> new PacketCipher(B, 1).open(wrong, seal(a, key, vxlan(4242, "x")), buf()));
        assertEquals(PacketCipher.Refusal.TAMPERED, e.reason());
    }

    @Test
    void theSendersAddressIsBoundToThePacket() throws Exception {
        PacketCipher a = new PacketCipher(A, 100);
        ByteBuffer t = seal(a, key, vxlan(4242, "x"));
        t.putInt(5, B); // claims to come from B
        var e = assertThrows(PacketCipher.RefusedException.class, () -> new PacketCipher(B, 1).open(ring, t, buf()));
        assertEquals(PacketCipher.Refusal.TAMPERED, e.reason());
    }

    @Test
    void aRefusedPacketChangesNoState() throws Exception {
        PacketCipher a = new PacketCipher(A, 100);
        PacketCipher b = new PacketCipher(B, 200);
        ByteBuffer good = seal(a, key, vxlan(4242, "x"));
        ByteBuffer forged = ByteBuffer.wrap(bytes(good));
        forged.put(forged.limit() - 1, (byte) (forged.get(forged.limit() - 1) ^ 1));
        forged.putLong(9, 999); // a later epoch with a bad tag must not end the sender's current one
        assertThrows(PacketCipher.RefusedException.class, () -> b.open(ring, forged, buf()));
        b.open(ring, good, buf());
    }

    /**
     * A rotation as the receivers see it: the next key arrives receive-only, senders switch to it
     * one by one (packets sealed with the old and the new key cross, in any order), the old key goes
     * and a packet sealed with it is refused from then on, even one never seen before.
     */
    @Test
    void duringARotationBothKeysOpenAndARetiredKeyIsRefused() throws Exception {
        NetworkKey k1 = key(11, 4242, 1, true);
        NetworkKey k2rx = key(12, 4242, 2, false);
        NetworkKey k2 = key(12, 4242, 2, true);
        NetworkKey k1rx = key(11, 4242, 1, false);
        NetworkKey k3rx = key(13, 4242, 3, false);
        PacketCipher a = new PacketCipher(A, 100);
        PacketCipher b = new PacketCipher(B, 200);

        KeyRing staged = new KeyRing(List.of(k1, k2rx));
        assertEquals(11, staged.sealing(4242).id(), "a receive-only key is never used to seal");
        ByteBuffer old1 = seal(a, staged.sealing(4242), vxlan(4242, "sealed-with-k1-first"));
        ByteBuffer old2 = seal(a, staged.sealing(4242), vxlan(4242, "sealed-with-k1-late"));
        ByteBuffer retiredLater = seal(a, k1, vxlan(4242, "sealed-with-k1-never-sent-until-k1-is-gone"));

        KeyRing promoted = new KeyRing(List.of(k1rx, k2, k3rx));
        assertEquals(12, promoted.sealing(4242).id());
        ByteBuffer new1 = seal(a, promoted.sealing(4242), vxlan(4242, "sealed-with-k2"));
        assertEquals(12, new1.getInt(1), "the key id on the wire");
        assertEquals(11, old1.getInt(1));

        // the receiver holds both while the sender switched: the new key's packet first, then the old ones
        b.open(staged, new1.duplicate(), buf());
        b.open(promoted, old1, buf());
        b.open(staged, old2, buf());

        KeyRing after = new KeyRing(List.of(k2rx, key(13, 4242, 3, true)));
        b.retain(after);
        var e = assertThrows(PacketCipher.RefusedException.class, () -> b.open(after, retiredLater, buf()));
        assertEquals(PacketCipher.Refusal.UNKNOWN_KEY, e.reason(), "the retired key opens nothing");
        var replay = assertThrows(PacketCipher.RefusedException.class, () -> b.open(after, new1, buf()));
        assertEquals(PacketCipher.Refusal.REPLAY, replay.reason(), "the previous primary's window survives the change of primary");
    }
}
