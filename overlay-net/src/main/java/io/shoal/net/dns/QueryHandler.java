package io.shoal.net.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/** Decides what each query gets: an answer from the records, NXDOMAIN, or the upstream's reply. */
final class QueryHandler {
    private static final System.Logger LOG = System.getLogger(QueryHandler.class.getName());
    /** The classic UDP limit, for clients that do not announce a larger one with EDNS. */
    static final int UDP_DEFAULT = 512;
    private static final int UDP_MAX = 4096;
    private static final int TCP_MAX = 65535;

    private final Records records;
    private final Forwarder forwarder;
    private final long ttlSeconds;

    QueryHandler(Records records, Forwarder forwarder, long ttlSeconds) {
        this.records = records;
        this.forwarder = forwarder;
        this.ttlSeconds = ttlSeconds;
    }

    /** The parts of a query needed to answer it after the decoded query is released. */
    private record Asked(int id, boolean recursionDesired, String name, DnsRecordType type, int dnsClass, int limit) {}

    /**
     * Answers one query message; {@code send} gets the reply bytes, now or later, or is not called for
     * a message too broken to answer. The caller keeps ownership of {@code raw}.
     */
    void handle(ByteBuf raw, InetSocketAddress client, boolean udp, EventLoop loop, Consumer<ByteBuf> send) {
        if (raw.readableBytes() < DnsWire.HEADER_LENGTH || DnsWire.isResponse(raw)) {
            return;
        }
        DnsQuery query;
        try {
            query = DnsWire.decodeQuery(raw);
        } catch (Exception e) {
            reply(send, () -> DnsWire.headerOnly(DnsWire.id(raw), DnsOpCode.QUERY, DnsResponseCode.FORMERR, alloc()));
            return;
        }
        try {
            if (!query.opCode().equals(DnsOpCode.QUERY)) {
                reply(send, () -> DnsWire.headerOnly(query.id(), query.opCode(), DnsResponseCode.NOTIMP, alloc()));
                return;
            }
            if (query.count(DnsSection.QUESTION) != 1) {
                reply(send, () -> DnsWire.headerOnly(query.id(), query.opCode(), DnsResponseCode.FORMERR, alloc()));
                return;
            }
            DnsQuestion q = query.recordAt(DnsSection.QUESTION);
            Asked asked = new Asked(query.id(), query.isRecursionDesired(), q.name(), q.type(), q.dnsClass(),
                    udp ? udpLimit(query) : TCP_MAX);
            Resolution resolution = q.dnsClass() == DnsRecord.CLASS_IN
                    ? records.resolve(q.name(), client.getAddress())
                    : Resolution.NOT_OURS;
            switch (resolution) {
                case Resolution.Found found -> reply(send, () -> answer(asked, found.addresses()));
                case Resolution.Hidden hidden -> reply(send, () -> respond(asked, DnsResponseCode.NXDOMAIN, List.of()));
                case Resolution.NotOurs notOurs -> forwarder.forward(raw, loop, new Forwarder.Reply() {
                    @Override
                    public void answer(ByteBuf response) {
                        send.accept(response);
                    }

                    @Override
                    public void fail() {
                        reply(send, () -> respond(asked, DnsResponseCode.SERVFAIL, List.of()));
                    }
                });
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "DNS query from " + client + " failed", e);
            reply(send, () -> DnsWire.headerOnly(query.id(), DnsOpCode.QUERY, DnsResponseCode.SERVFAIL, alloc()));
        } finally {
            query.release();
        }
    }

    /** Our name, visible to the asker: A records for A (and ANY) queries, none for other types. */
    private ByteBuf answer(Asked asked, List<Inet4Address> addresses) throws Exception {
        boolean wantsA = asked.type().equals(DnsRecordType.A) || asked.type().equals(DnsRecordType.ANY);
        if (!wantsA) {
            return respond(asked, DnsResponseCode.NOERROR, List.of()); // IPv4 only: AAAA gets no data
        }
        List<Inet4Address> shuffled = new ArrayList<>(addresses);
        Collections.shuffle(shuffled, ThreadLocalRandom.current()); // spread clients that take the first
        return respond(asked, DnsResponseCode.NOERROR, shuffled);
    }

    private ByteBuf respond(Asked asked, DnsResponseCode code, List<Inet4Address> addresses) throws Exception {
        int nameLength = wireLength(asked.name());
        int room = (asked.limit() - DnsWire.HEADER_LENGTH - (nameLength + 4)) / (nameLength + 10 + 4);
        boolean truncated = addresses.size() > room;
        DnsResponse response = new DefaultDnsResponse(asked.id(), DnsOpCode.QUERY, code);
        try {
            response.setAuthoritativeAnswer(true);
            response.setRecursionDesired(asked.recursionDesired());
            response.setRecursionAvailable(true);
            response.setTruncated(truncated);
            response.addRecord(DnsSection.QUESTION,
                    new DefaultDnsQuestion(asked.name(), asked.type(), asked.dnsClass()));
            for (Inet4Address address : truncated ? addresses.subList(0, Math.max(0, room)) : addresses) {
                response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(
                        asked.name(), DnsRecordType.A, ttlSeconds, Unpooled.wrappedBuffer(address.getAddress())));
            }
            return DnsWire.encodeResponse(response, alloc());
        } finally {
            response.release();
        }
    }

    /** The reply size the client accepts over UDP: 512, or what its EDNS OPT record announces. */
    private static int udpLimit(DnsQuery query) {
        for (int i = 0; i < query.count(DnsSection.ADDITIONAL); i++) {
            DnsRecord r = query.recordAt(DnsSection.ADDITIONAL, i);
            if (r.type().equals(DnsRecordType.OPT)) {
                return Math.clamp(r.dnsClass(), UDP_DEFAULT, UDP_MAX);
            }
        }
        return UDP_DEFAULT;
    }

    /** Bytes the name takes uncompressed on the wire (Netty's encoder does not compress). */
    private static int wireLength(String name) {
        if (name.equals(".")) {
            return 1;
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        return name.endsWith(".") ? bytes + 1 : bytes + 2;
    }

    private interface Encoding {
        ByteBuf encode() throws Exception;
    }

    private static void reply(Consumer<ByteBuf> send, Encoding encoding) {
        ByteBuf out;
        try {
            out = encoding.encode();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "could not encode a DNS reply", e);
            return;
        }
        send.accept(out);
    }

    private static ByteBufAllocator alloc() {
        return ByteBufAllocator.DEFAULT;
    }
}
