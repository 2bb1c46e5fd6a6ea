package io.shoal.manager.raft;

import org.apache.ratis.thirdparty.com.google.protobuf.ByteOutput;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Our protobuf messages in and out of Ratis' shaded {@link ByteString} without copying them: an
 * entry of 1,000 tasks is some 200 kB, written once by the leader and read by every member. The
 * bytes handed over are never changed afterwards (serialized for this call alone, or Ratis' own
 * immutable log data, read only).
 */
final class LogBytes {
    private LogBytes() {}

    /** {@code bytes}, which the caller no longer touches, as a ByteString. */
    static ByteString wrap(byte[] bytes) {
        return UnsafeByteOperations.unsafeWrap(bytes);
    }

    /** The bytes of {@code data}: its own array when it has one in one piece, else a copy. */
    static Slice slice(ByteString data) {
        Capture c = new Capture();
        try {
            UnsafeByteOperations.unsafeWriteTo(data, c);
        } catch (IOException e) {
            throw new IllegalStateException(e); // Capture throws none
        }
        return c.pieces == 1 && c.array != null ? new Slice(c.array, c.offset, c.length) : new Slice(data.toByteArray(), 0, data.size());
    }

    /** A range of an array, to be read only. */
    record Slice(byte[] array, int offset, int length) {}

    /** Takes the first piece written lazily (by reference); counts the pieces, so that more than one falls back to a copy. */
    private static final class Capture extends ByteOutput {
        byte[] array;
        int offset;
        int length;
        int pieces;

        @Override
        public void write(byte value) {
            pieces += 2;
        }

        @Override
        public void write(byte[] value, int offset, int length) {
            pieces += 2;
        }

        @Override
        public void writeLazy(byte[] value, int offset, int length) {
            if (pieces++ == 0) {
                array = value;
                this.offset = offset;
                this.length = length;
            }
        }

        @Override
        public void write(ByteBuffer value) {
            pieces += 2;
        }

        @Override
        public void writeLazy(ByteBuffer value) {
            pieces += 2;
        }
    }
}
