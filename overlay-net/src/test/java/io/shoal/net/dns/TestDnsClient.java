package io.shoal.net.dns;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsSection;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** A blocking DNS client for tests, built on Netty's codec, that can ask from any 127.0.0.x source. */
final class TestDnsClient {
    static final int TIMEOUT_MS = 5_000;
    private static final InetSocketAddress ANY = new InetSocketAddress(0);

    /** What came back, flattened for assertions. */
    record Reply(int id, int rcode, boolean authoritative, boolean truncated, String question,
                 List<String> addresses, List<Long> ttls, int answerCount) {}

    private TestDnsClient() {}

    static Reply udp(InetSocketAddress server, String source, String name, DnsRecordType type) throws IOException {
        return udp(server, source, name, type, 0);
    }

    /** Asks over UDP from {@code source}; {@code ednsSize} above 0 adds an EDNS OPT record. */
    static Reply udp(InetSocketAddress server, String source, String name, DnsRecordType type, int ednsSize)
            throws IOException {
        int id = ThreadLocalRandom.current().nextInt(1 << 16);
        byte[] query = encodeQuery(id, name, type, ednsSize);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.ofLiteral(source), 0))) {
            socket.setSoTimeout(TIMEOUT_MS);
            socket.send(new java.net.DatagramPacket(query, query.length, server));
            while (true) {
                java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[65535], 65535);
                socket.receive(packet); // SocketTimeoutException fails the test if no reply comes
                if (packet.getSocketAddress().equals(server)) {
                    return decodeReply(packet.getData(), packet.getLength());
                }
            }
        }
    }

    static Reply tcp(InetSocketAddress server, String source, String name, DnsRecordType type) throws IOException {
        int id = ThreadLocalRandom.current().nextInt(1 << 16);
        byte[] query = encodeQuery(id, name, type, 0);
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.ofLiteral(source), 0));
            socket.connect(server, TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(query.length);
            out.write(query);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] reply = new byte[in.readUnsignedShort()];
            in.readFully(reply);
            return decodeReply(reply, reply.length);
        }
    }

    static byte[] encodeQuery(int id, String name, DnsRecordType type, int ednsSize) {
        EmbeddedChannel ch = new EmbeddedChannel(new DatagramDnsQueryEncoder());
        try {
            DatagramDnsQuery query = new DatagramDnsQuery(ANY, ANY, id);
            query.setRecursionDesired(true);
            query.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(name, type));
            if (ednsSize > 0) {
                query.addRecord(DnsSection.ADDITIONAL,
                        new DefaultDnsRawRecord("", DnsRecordType.OPT, ednsSize, 0, Unpooled.EMPTY_BUFFER));
            }
            ch.writeOutbound(query);
            DatagramPacket packet = ch.readOutbound();
            try {
                return ByteBufUtil.getBytes(packet.content());
            } finally {
                packet.release();
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    static Reply decodeReply(byte[] bytes, int length) {
        EmbeddedChannel ch = new EmbeddedChannel(new DatagramDnsResponseDecoder());
        try {
            ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(bytes, 0, length), ANY, ANY));
            DatagramDnsResponse response = ch.readInbound();
            try {
                List<String> addresses = new ArrayList<>();
                List<Long> ttls = new ArrayList<>();
                int answers = response.count(DnsSection.ANSWER);
                for (int i = 0; i < answers; i++) {
                    DnsRecord r = response.recordAt(DnsSection.ANSWER, i);
                    if (r.type().equals(DnsRecordType.A) && r instanceof DnsRawRecord raw) {
                        addresses.add(InetAddress.getByAddress(ByteBufUtil.getBytes(raw.content())).getHostAddress());
                        ttls.add(r.timeToLive());
                    }
                }
                String question = response.count(DnsSection.QUESTION) == 0
                        ? null : response.recordAt(DnsSection.QUESTION).name();
                return new Reply(response.id(), response.code().intValue(), response.isAuthoritativeAnswer(),
                        response.isTruncated(), question, List.copyOf(addresses), List.copyOf(ttls), answers);
            } finally {
                response.release();
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
