package io.shoal.net.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsResponse;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's DNS codec applied to bytes rather than in a pipeline, so that one handler serves UDP and TCP
 * and the raw query stays at hand for forwarding untouched.
 */
final class DnsWire {
    static final int HEADER_LENGTH = 12;
    private static final InetSocketAddress NOWHERE = new InetSocketAddress(0);

    private DnsWire() {}

    /** Decodes a query; the caller releases the result. Throws on anything that is not a query. */
    static DnsQuery decodeQuery(ByteBuf raw) throws Exception {
        return QueryDecoder.INSTANCE.decodeOne(raw.duplicate());
    }

    /** Encodes a response (which the caller still owns) into a new buffer. */
    static ByteBuf encodeResponse(DnsResponse response, ByteBufAllocator alloc) throws Exception {
        return new ResponseEncoder(alloc).encodeOne(response);
    }

    /** A header-only response with {@code code}, for queries too broken to answer otherwise. */
    static ByteBuf headerOnly(int id, DnsOpCode opCode, DnsResponseCode code, ByteBufAllocator alloc) throws Exception {
        DnsResponse response = new DefaultDnsResponse(id, opCode, code);
        try {
            return encodeResponse(response, alloc);
        } finally {
            response.release();
        }
    }

    static int id(ByteBuf message) {
        return message.getUnsignedShort(message.readerIndex());
    }

    static void setId(ByteBuf message, int id) {
        message.setShort(message.readerIndex(), id);
    }

    static boolean isResponse(ByteBuf message) {
        return (message.getUnsignedShort(message.readerIndex() + 2) & 0x8000) != 0;
    }

    static boolean isTruncated(ByteBuf message) {
        return (message.getUnsignedShort(message.readerIndex() + 2) & 0x0200) != 0;
    }

    /**
     * The bytes of the first question (name, type, class) of a message, or null if there is none or it
     * is malformed; used to check that an upstream's reply answers what we asked.
     */
    static ByteBuf firstQuestion(ByteBuf message) {
        int start = message.readerIndex() + HEADER_LENGTH;
        int end = message.writerIndex();
        if (start > end || message.getUnsignedShort(message.readerIndex() + 4) < 1) {
            return null;
        }
        int i = start;
        while (i < end) {
            int len = message.getUnsignedByte(i);
            if (len == 0) {
                i += 1 + 4;
                return i <= end ? message.slice(start, i - start) : null;
            }
            if ((len & 0xC0) != 0) {
                return null; // compression pointers do not appear in the question of a query we sent
            }
            i += 1 + len;
        }
        return null;
    }

    /** Same question, ignoring the case of the name (resolvers may randomise it). */
    static boolean sameQuestion(ByteBuf a, ByteBuf b) {
        if (a == null || b == null || a.readableBytes() != b.readableBytes()) {
            return false;
        }
        for (int i = 0; i < a.readableBytes(); i++) {
            int x = a.getUnsignedByte(a.readerIndex() + i);
            int y = b.getUnsignedByte(b.readerIndex() + i);
            if (x != y && asciiLower(x) != asciiLower(y)) {
                return false;
            }
        }
        return true;
    }

    private static int asciiLower(int b) {
        return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
    }

    private static final class QueryDecoder extends DatagramDnsQueryDecoder {
        static final QueryDecoder INSTANCE = new QueryDecoder();

        DnsQuery decodeOne(ByteBuf raw) throws Exception {
            List<Object> out = new ArrayList<>(1);
            // the decoder reads only the packet's content and addresses, never the context
            decode((ChannelHandlerContext) null, new DatagramPacket(raw, NOWHERE, NOWHERE), out);
            return (DnsQuery) out.getFirst();
        }
    }

    private static final class ResponseEncoder extends DatagramDnsResponseEncoder {
        private final ByteBufAllocator alloc;

        ResponseEncoder(ByteBufAllocator alloc) {
            this.alloc = alloc;
        }

        ByteBuf encodeOne(DnsResponse response) throws Exception {
            List<Object> out = new ArrayList<>(1);
            AddressedEnvelope<DnsResponse, InetSocketAddress> envelope =
                    new DefaultAddressedEnvelope<>(response, NOWHERE);
            encode(null, envelope, out);
            return ((DatagramPacket) out.getFirst()).content();
        }

        @Override
        protected ByteBuf allocateBuffer(ChannelHandlerContext ctx,
                AddressedEnvelope<DnsResponse, InetSocketAddress> msg) {
            return alloc.ioBuffer(512);
        }
    }
}
