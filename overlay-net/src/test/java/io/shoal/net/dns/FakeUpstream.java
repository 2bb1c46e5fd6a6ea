package io.shoal.net.dns;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsSection;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A resolver for tests on 127.0.0.1: answers every A query with {@link #answer}, and records what it
 * was asked. Modes: answer, stay silent, or answer UDP with an empty truncated reply and the full
 * answer only over TCP (on the same port).
 */
final class FakeUpstream implements AutoCloseable {
    enum Mode { ANSWER, SILENT, TRUNCATE_UDP }

    /** One question the fake received. */
    record Asked(String name, DnsRecordType type, boolean tcp) {}

    private final Mode mode;
    private final String answer;
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final List<Asked> asked = new CopyOnWriteArrayList<>();
    private final Thread udpThread;
    private final Thread tcpThread;

    FakeUpstream(Mode mode, String answer) throws IOException {
        this.mode = mode;
        this.answer = answer;
        InetAddress loopback = InetAddress.ofLiteral("127.0.0.1");
        ServerSocket tcpSocket = null;
        DatagramSocket udpSocket = null;
        for (int tries = 0; udpSocket == null; tries++) { // UDP and TCP on one port, as resolvers are
            tcpSocket = new ServerSocket(0, 50, loopback);
            try {
                udpSocket = new DatagramSocket(new InetSocketAddress(loopback, tcpSocket.getLocalPort()));
            } catch (SocketException e) {
                tcpSocket.close();
                if (tries > 10) {
                    throw e;
                }
            }
        }
        this.udp = udpSocket;
        this.tcp = tcpSocket;
        this.udpThread = Thread.ofPlatform().name("fake-upstream-udp").daemon().start(this::serveUdp);
        this.tcpThread = Thread.ofPlatform().name("fake-upstream-tcp").daemon().start(this::serveTcp);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) udp.getLocalSocketAddress();
    }

    List<Asked> asked() {
        return List.copyOf(asked);
    }

    @Override
    public void close() throws Exception {
        udp.close();
        tcp.close();
        udpThread.join();
        tcpThread.join();
    }

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (!udp.isClosed()) {
            java.net.DatagramPacket packet = new java.net.DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
                byte[] reply = handle(Arrays.copyOf(packet.getData(), packet.getLength()), false);
                if (reply != null) {
                    udp.send(new java.net.DatagramPacket(reply, reply.length, packet.getSocketAddress()));
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try (Socket s = tcp.accept()) {
                s.setSoTimeout(TestDnsClient.TIMEOUT_MS);
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                byte[] reply = handle(query, true);
                if (reply != null) {
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    out.writeShort(reply.length);
                    out.write(reply);
                    out.flush();
                }
            } catch (IOException e) {
                if (tcp.isClosed()) {
                    return;
                }
            }
        }
    }

    private byte[] handle(byte[] bytes, boolean overTcp) {
        InetSocketAddress any = new InetSocketAddress(0);
        EmbeddedChannel decoder = new EmbeddedChannel(new DatagramDnsQueryDecoder());
        EmbeddedChannel encoder = new EmbeddedChannel(new DatagramDnsResponseEncoder());
        try {
            decoder.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(bytes), any, any));
            DatagramDnsQuery query = decoder.readInbound();
            DnsQuestion q = query.recordAt(DnsSection.QUESTION);
            asked.add(new Asked(q.name(), q.type(), overTcp));
            query.release();
            if (mode == Mode.SILENT) {
                return null;
            }
            DatagramDnsResponse response = new DatagramDnsResponse(any, any, query.id());
            response.setRecursionAvailable(true);
            response.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(q.name(), q.type()));
            if (mode == Mode.TRUNCATE_UDP && !overTcp) {
                response.setTruncated(true);
            } else if (q.type().equals(DnsRecordType.A)) {
                response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(q.name(), DnsRecordType.A, 300,
                        Unpooled.wrappedBuffer(InetAddress.ofLiteral(answer).getAddress())));
            }
            encoder.writeOutbound(response);
            DatagramPacket out = encoder.readOutbound();
            try {
                return ByteBufUtil.getBytes(out.content());
            } finally {
                out.release();
            }
        } finally {
            decoder.finishAndReleaseAll();
            encoder.finishAndReleaseAll();
        }
    }
}
