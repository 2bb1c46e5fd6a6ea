package io.shoal.manager.raft;

import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Entries in and out of Ratis' ByteStrings without a copy where there is one array, with a copy otherwise. */
class LogBytesTest {
    private static byte[] bytesOf(LogBytes.Slice s) {
        return Arrays.copyOfRange(s.array(), s.offset(), s.offset() + s.length());
    }

    @Test
    void aWrappedArrayIsReadInPlace() {
        byte[] entry = "an entry".getBytes(StandardCharsets.UTF_8);
        LogBytes.Slice s = LogBytes.slice(LogBytes.wrap(entry));
        assertSame(entry, s.array(), "no copy");
        assertArrayEquals(entry, bytesOf(s));
    }

    @Test
    void aPartOfAnArrayIsReadAsThatRange() {
        ByteString whole = ByteString.copyFromUtf8("0123456789");
        LogBytes.Slice s = LogBytes.slice(whole.substring(3, 7));
        assertArrayEquals("3456".getBytes(StandardCharsets.UTF_8), bytesOf(s));
    }

    @Test
    void piecesAreJoinedIntoOneCopy() {
        ByteString rope = ByteString.copyFromUtf8("a".repeat(300)).concat(ByteString.copyFromUtf8("b".repeat(300)));
        LogBytes.Slice s = LogBytes.slice(rope);
        assertArrayEquals(("a".repeat(300) + "b".repeat(300)).getBytes(StandardCharsets.UTF_8), bytesOf(s));
    }

    @Test
    void emptyIsEmpty() {
        assertArrayEquals(new byte[0], bytesOf(LogBytes.slice(ByteString.EMPTY)));
    }
}
