package io.shoal.cli.client;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** HPACK decoding against RFC 7541's Appendix C examples, and the encoder's literals. */
class HpackTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private static List<Hpack.Field> fields(String... nv) {
        List<Hpack.Field> l = new java.util.ArrayList<>();
        for (int i = 0; i < nv.length; i += 2) {
            l.add(new Hpack.Field(nv[i], nv[i + 1]));
        }
        return l;
    }

    private static List<Hpack.Field> decode(Hpack.Decoder d, String block) throws HpackException {
        byte[] b = hex(block);
        return d.decode(b, 0, b.length);
    }

    @Test
    void huffmanStringsOfAppendixC4() throws HpackException {
        byte[] www = hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff");
        assertEquals("www.example.com", new String(Huffman.decode(www, 0, www.length), StandardCharsets.ISO_8859_1));
        byte[] noCache = hex("a8eb 1064 9cbf");
        assertEquals("no-cache", new String(Huffman.decode(noCache, 0, noCache.length), StandardCharsets.ISO_8859_1));
        byte[] key = hex("25a8 49e9 5ba9 7d7f");
        assertEquals("custom-key", new String(Huffman.decode(key, 0, key.length), StandardCharsets.ISO_8859_1));
    }

    @Test
    void requestsWithHuffmanOfAppendixC4() throws HpackException {
        Hpack.Decoder d = new Hpack.Decoder(4096);
        assertEquals(fields(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com"),
                decode(d, "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"));
        assertEquals(57, d.tableSize());
        assertEquals(fields(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com",
                "cache-control", "no-cache"), decode(d, "8286 84be 5886 a8eb 1064 9cbf"));
        assertEquals(110, d.tableSize());
        assertEquals(fields(":method", "GET", ":scheme", "https", ":path", "/index.html", ":authority", "www.example.com",
                "custom-key", "custom-value"), decode(d, "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"));
        assertEquals(164, d.tableSize());
    }

    @Test
    void responsesWithHuffmanAndEvictionOfAppendixC6() throws HpackException {
        Hpack.Decoder d = new Hpack.Decoder(256);
        String date1 = "Mon, 21 Oct 2013 20:13:21 GMT";
        String loc = "https://www.example.com";
        assertEquals(fields(":status", "302", "cache-control", "private", "date", date1, "location", loc), decode(d,
                "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6"
                        + "2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3"));
        assertEquals(222, d.tableSize());
        assertEquals(fields(":status", "307", "cache-control", "private", "date", date1, "location", loc),
                decode(d, "4883 640e ffc1 c0bf"));
        assertEquals(222, d.tableSize());
        assertEquals(fields(":status", "200", "cache-control", "private", "date", "Mon, 21 Oct 2013 20:13:22 GMT",
                "location", loc, "content-encoding", "gzip",
                "set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"), decode(d,
                "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab"
                        + "77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f"
                        + "9587 3160 65c0 03ed 4ee5 b106 3d50 07"));
        assertEquals(215, d.tableSize());
    }

    @Test
    void aSizeUpdateToZeroEmptiesTheTableAndOneOverTheLimitIsRefused() throws HpackException {
        Hpack.Decoder d = new Hpack.Decoder(4096);
        decode(d, "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff");
        assertEquals(57, d.tableSize());
        // 0x20: size update to 0, then :status 200 (indexed)
        assertEquals(fields(":status", "200"), decode(d, "20 88"));
        assertEquals(0, d.tableSize());
        // a literal with indexing into a table of size 0 is evicted at once
        assertEquals(fields("grpc-status", "0"), decode(d, "40 0b 677270632d737461747573 01 30"));
        assertEquals(0, d.tableSize());
        assertThrows(HpackException.class, () -> decode(d, "be"));
        // 4097 does not fit SETTINGS_HEADER_TABLE_SIZE 4096: 0x3f then 4097 - 31 = 4066 = 0xe2 0x1f
        assertThrows(HpackException.class, () -> decode(new Hpack.Decoder(4096), "3f e21f"));
        assertThrows(HpackException.class, () -> decode(new Hpack.Decoder(4096), "88 20"));
    }

    @Test
    void badHuffmanIsRefused() {
        // EOS (30 ones) inside the string, and padding of 8 bits
        assertThrows(HpackException.class, () -> Huffman.decode(hex("ffff fffc"), 0, 4));
        assertThrows(HpackException.class, () -> Huffman.decode(hex("1f ff"), 0, 2));
        // padding that is not all ones: 'a' is 00011, then 000 padding
        assertThrows(HpackException.class, () -> Huffman.decode(hex("18"), 0, 1));
        assertArrayEquals("a".getBytes(StandardCharsets.ISO_8859_1), assertDoesNotThrowDecode(hex("1f")));
    }

    private static byte[] assertDoesNotThrowDecode(byte[] b) {
        try {
            return Huffman.decode(b, 0, b.length);
        } catch (HpackException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theEncodersLiteralsDecodeBack() throws HpackException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Hpack.indexed(out, Hpack.METHOD_POST);
        Hpack.literal(out, Hpack.PATH, null, "/shoal.api.Control/ListServices");
        Hpack.literal(out, 0, "grpc-timeout", "29999m");
        String longValue = "x".repeat(300);
        Hpack.literal(out, 0, "x-long", longValue);
        byte[] b = out.toByteArray();
        assertEquals(fields(":method", "POST", ":path", "/shoal.api.Control/ListServices", "grpc-timeout", "29999m",
                "x-long", longValue), new Hpack.Decoder(0).decode(b, 0, b.length));
    }

    @Test
    void grpcMessagesArePercentDecodedAsUtf8() {
        assertEquals("service \"wëb\" is 100% gone", UnaryReply.percentDecode("service \"w%C3%ABb\" is 100%25 gone"));
        assertEquals("50% off", UnaryReply.percentDecode("50% off"));
        assertEquals("plain", UnaryReply.percentDecode("plain"));
    }

    @Test
    void timeoutsUseAtMostEightDigits() {
        assertEquals("99999999n", GrpcTimeout.encode(99_999_999L));
        assertEquals("100000u", GrpcTimeout.encode(100_000_000L));
        assertEquals("30000000u", GrpcTimeout.encode(30_000_000_000L));
        assertEquals("300000m", GrpcTimeout.encode(300_000_000_000L));
    }
}
