package io.shoal.cli.client;

import io.grpc.Status;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * One HTTP/2 connection (RFC 9113, prior knowledge, no TLS) to a gRPC server on a unix socket, making
 * unary calls one at a time on streams 1, 3, 5, ... It speaks only what a unary call needs: the
 * preface and SETTINGS (no HPACK dynamic table wanted, no push), HEADERS and CONTINUATION, DATA split
 * to the peer's frame size and window, WINDOW_UPDATE for what it received, PING answered, SETTINGS
 * acknowledged, RST_STREAM and GOAWAY as errors. A failed connection is closed and not used again.
 * Not thread-safe: {@link LightChannel} serializes the calls.
 */
final class Http2Connection implements AutoCloseable {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PUSH_PROMISE = 5, PING = 6, GOAWAY = 7,
            WINDOW_UPDATE = 8, CONTINUATION = 9;
    static final int END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4, PADDED = 0x8, PRIORITY = 0x20;
    private static final int DEFAULT_WINDOW = 65_535;
    /** The largest frame this side accepts (the default SETTINGS_MAX_FRAME_SIZE, which it does not raise). */
    private static final int MAX_FRAME = 16_384;
    /** The receive window is topped up once this much of it was used. */
    private static final int REFILL = DEFAULT_WINDOW / 2;
    /** The HPACK table a peer may use before it has seen this side's SETTINGS_HEADER_TABLE_SIZE of 0. */
    private static final int DEFAULT_TABLE = 4096;

    private final SocketChannel channel;
    private final String remote;
    private final ByteBuffer in = ByteBuffer.allocate(4 * (MAX_FRAME + 9)).flip();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    private final Hpack.Decoder hpack = new Hpack.Decoder(DEFAULT_TABLE);
    private final int maxMessage;
    private int nextStream = 1;
    private boolean prefaceSent;
    private long connectionSendWindow = DEFAULT_WINDOW;
    private int peerInitialWindow = DEFAULT_WINDOW;
    private int peerMaxFrame = MAX_FRAME;
    private int connectionUnacked;
    private boolean usable = true;

    private Http2Connection(SocketChannel channel, String remote, int maxMessage) {
        this.channel = channel;
        this.remote = remote;
        this.maxMessage = maxMessage;
    }

    /** Connects to the socket at {@code path}; the HTTP/2 preface goes out with the first call. */
    static Http2Connection open(Path path, int maxMessage) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new Http2Connection(ch, path.toString(), maxMessage);
    }

    /** Whether another call may use this connection (it has seen no error, GOAWAY or deadline). */
    boolean usable() {
        return usable && channel.isOpen();
    }

    /**
     * Makes one unary call: sends {@code request} (a serialized message) to {@code path}
     * ({@code /package.Service/Method}) and waits for the answer until {@code deadlineNanos}
     * ({@link System#nanoTime()}, or {@link Long#MAX_VALUE} for none). Never throws: every failure is a status.
     */
    UnaryReply call(String path, byte[] request, long deadlineNanos) {
        long timeout = deadlineNanos == Long.MAX_VALUE ? -1 : deadlineNanos - System.nanoTime();
        if (deadlineNanos != Long.MAX_VALUE && timeout <= 0) {
            return UnaryReply.failed(Status.DEADLINE_EXCEEDED.withDescription(
                    "ClientCall started after CallOptions deadline was exceeded"));
        }
        Watchdog watchdog = timeout < 0 ? null : Watchdog.start(channel, deadlineNanos);
        long started = System.nanoTime();
        Stream s = new Stream(nextStream, peerInitialWindow);
        nextStream += 2;
        try {
            send(s, path, request, timeout);
            while (s.reply == null) {
                readFrame(s);
            }
            return s.reply;
        } catch (IOException e) {
            usable = false;
            if (watchdog != null && watchdog.fired()) {
                long t = System.nanoTime() - started;
                return UnaryReply.failed(Status.DEADLINE_EXCEEDED.withDescription(String.format(
                        "deadline exceeded after %d.%09ds. [remote_addr=%s]", t / 1_000_000_000, t % 1_000_000_000, remote)));
            }
            if (e instanceof EOFException) {
                return UnaryReply.failed(Status.UNAVAILABLE.withDescription("Network closed for unknown reason"));
            }
            return UnaryReply.failed(Status.UNAVAILABLE.withDescription("io exception").withCause(e));
        } catch (HpackException e) {
            usable = false;
            return UnaryReply.failed(Status.INTERNAL.withDescription("HPACK: " + e.getMessage()));
        } finally {
            if (watchdog != null) {
                watchdog.cancel();
            }
            if (!usable) {
                close();
            }
        }
    }

    private void send(Stream s, String path, byte[] request, long timeoutNanos) throws IOException, HpackException {
        if (!prefaceSent) {
            out.write(PREFACE, 0, PREFACE.length);
            // SETTINGS_HEADER_TABLE_SIZE 0 (no dynamic table wanted), SETTINGS_ENABLE_PUSH 0
            frameHeader(12, SETTINGS, 0, 0);
            setting(0x1, 0);
            setting(0x2, 0);
            prefaceSent = true;
        }
        ByteArrayOutputStream block = new ByteArrayOutputStream(128);
        Hpack.indexed(block, Hpack.METHOD_POST);
        Hpack.indexed(block, Hpack.SCHEME_HTTP);
        Hpack.literal(block, Hpack.PATH, null, path);
        Hpack.literal(block, Hpack.AUTHORITY, null, "localhost");
        Hpack.literal(block, Hpack.CONTENT_TYPE, null, "application/grpc");
        Hpack.literal(block, 0, "te", "trailers");
        Hpack.literal(block, Hpack.USER_AGENT, null, "shoal-cli");
        if (timeoutNanos >= 0) {
            Hpack.literal(block, 0, "grpc-timeout", GrpcTimeout.encode(timeoutNanos));
        }
        if (block.size() > peerMaxFrame) {
            throw new IOException("request headers of " + block.size() + " bytes do not fit a frame");
        }
        frameHeader(block.size(), HEADERS, END_HEADERS, s.id);
        block.writeTo(out);

        byte[] body = new byte[5 + request.length];
        body[1] = (byte) (request.length >>> 24);
        body[2] = (byte) (request.length >>> 16);
        body[3] = (byte) (request.length >>> 8);
        body[4] = (byte) request.length;
        System.arraycopy(request, 0, body, 5, request.length);
        int sent = 0;
        while (sent < body.length) {
            long window = Math.min(connectionSendWindow, s.sendWindow);
            int chunk = (int) Math.min(Math.min(body.length - sent, peerMaxFrame), window);
            if (chunk <= 0) {
                flush();
                readFrame(s); // until a WINDOW_UPDATE or SETTINGS opens the window
                if (s.reply != null) {
                    // the server answered before taking the whole request: give the stream up
                    frameHeader(4, RST_STREAM, 0, s.id);
                    int cancel = 0x8;
                    out.write(new byte[] {0, 0, 0, (byte) cancel}, 0, 4);
                    flush();
                    return;
                }
                continue;
            }
            boolean last = sent + chunk == body.length;
            frameHeader(chunk, DATA, last ? END_STREAM : 0, s.id);
            out.write(body, sent, chunk);
            sent += chunk;
            connectionSendWindow -= chunk;
            s.sendWindow -= chunk;
            if (out.size() >= 4 * MAX_FRAME) {
                flush();
            }
        }
        flush();
    }

    /** Reads one frame and acts on it; sets {@code s.reply} when the frame ends stream {@code s}. */
    private void readFrame(Stream s) throws IOException, HpackException {
        need(9);
        int len = ((in.get() & 0xff) << 16) | ((in.get() & 0xff) << 8) | (in.get() & 0xff);
        int type = in.get() & 0xff;
        int flags = in.get() & 0xff;
        int stream = in.getInt() & 0x7fff_ffff;
        if (len > MAX_FRAME) {
            throw new IOException("frame of " + len + " bytes is larger than SETTINGS_MAX_FRAME_SIZE");
        }
        need(len);
        byte[] p = new byte[len];
        in.get(p);
        switch (type) {
            case DATA -> onData(s, stream, flags, p);
            case HEADERS -> onHeaders(s, stream, flags, p);
            case RST_STREAM -> {
                if (stream == s.id && len == 4) {
                    s.reply = UnaryReply.failed(Http2Errors.rstStream(ByteBuffer.wrap(p).getInt()));
                }
            }
            case SETTINGS -> onSettings(s, flags, p);
            case PING -> {
                if ((flags & ACK) == 0) {
                    frameHeader(8, PING, ACK, 0);
                    out.write(p, 0, p.length);
                    flush();
                }
            }
            case GOAWAY -> {
                usable = false;
                ByteBuffer b = ByteBuffer.wrap(p);
                int last = b.getInt() & 0x7fff_ffff;
                int code = b.getInt();
                if (s.id > last) {
                    s.reply = UnaryReply.failed(Http2Errors.goAway(code, new String(p, 8, p.length - 8, StandardCharsets.UTF_8)));
                }
            }
            case WINDOW_UPDATE -> {
                int inc = ByteBuffer.wrap(p).getInt() & 0x7fff_ffff;
                if (stream == 0) {
                    connectionSendWindow += inc;
                } else if (stream == s.id) {
                    s.sendWindow += inc;
                }
            }
            case PUSH_PROMISE -> throw new IOException("PUSH_PROMISE although SETTINGS_ENABLE_PUSH is 0");
            default -> {
                // PRIORITY, unknown types: nothing to do
            }
        }
    }

    private void onData(Stream s, int stream, int flags, byte[] p) throws IOException {
        connectionUnacked += p.length;
        if (connectionUnacked >= REFILL) {
            windowUpdate(0, connectionUnacked);
            connectionUnacked = 0;
        }
        if (stream != s.id || s.reply != null) {
            flush();
            return;
        }
        int pad = (flags & PADDED) != 0 ? (p[0] & 0xff) + 1 : 0;
        s.body.write(p, pad == 0 ? 0 : 1, p.length - pad);
        if (s.body.size() >= 5 && s.body.size() - p.length < 5) {
            byte[] b = s.body.toByteArray();
            long n = ((b[1] & 0xffL) << 24) | ((b[2] & 0xff) << 16) | ((b[3] & 0xff) << 8) | (b[4] & 0xff);
            if (n > maxMessage) {
                s.reply = UnaryReply.failed(Status.RESOURCE_EXHAUSTED.withDescription(
                        "gRPC message exceeds maximum size " + maxMessage + ": " + n));
            }
        }
        if ((flags & END_STREAM) != 0) {
            s.reply = UnaryReply.failed(Status.INTERNAL.withDescription("Received unexpected EOS on DATA frame from server."));
        } else {
            s.unacked += p.length;
            if (s.unacked >= REFILL) {
                windowUpdate(s.id, s.unacked);
                s.unacked = 0;
            }
        }
        flush();
    }

    private void onHeaders(Stream s, int stream, int flags, byte[] p) throws IOException, HpackException {
        int off = 0;
        int end = p.length;
        if ((flags & PADDED) != 0) {
            off = 1;
            end -= p[0] & 0xff;
        }
        if ((flags & PRIORITY) != 0) {
            off += 5;
        }
        if (off > end) {
            throw new IOException("HEADERS frame with more padding than payload");
        }
        ByteArrayOutputStream block = new ByteArrayOutputStream(end - off);
        block.write(p, off, end - off);
        boolean endHeaders = (flags & END_HEADERS) != 0;
        while (!endHeaders) {
            need(9);
            int len = ((in.get() & 0xff) << 16) | ((in.get() & 0xff) << 8) | (in.get() & 0xff);
            int type = in.get() & 0xff;
            int f = in.get() & 0xff;
            int id = in.getInt() & 0x7fff_ffff;
            if (type != CONTINUATION || id != stream || len > MAX_FRAME) {
                throw new IOException("expected a CONTINUATION frame of stream " + stream);
            }
            need(len);
            byte[] c = new byte[len];
            in.get(c);
            block.write(c, 0, len);
            endHeaders = (f & END_HEADERS) != 0;
        }
        byte[] b = block.toByteArray();
        List<Hpack.Field> fields = hpack.decode(b, 0, b.length); // always, to keep the HPACK state in step
        if (stream == s.id && s.reply == null) {
            s.reply = s.onHeaders(fields, (flags & END_STREAM) != 0);
        }
    }

    private void onSettings(Stream s, int flags, byte[] p) throws IOException {
        if ((flags & ACK) != 0) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(p);
        while (b.remaining() >= 6) {
            int id = b.getShort() & 0xffff;
            int v = b.getInt();
            if (id == 0x4) {
                s.sendWindow += (long) v - peerInitialWindow;
                peerInitialWindow = v;
            } else if (id == 0x5) {
                peerMaxFrame = v;
            }
        }
        frameHeader(0, SETTINGS, ACK, 0);
        flush();
    }

    private void windowUpdate(int stream, int increment) {
        frameHeader(4, WINDOW_UPDATE, 0, stream);
        out.write(increment >>> 24);
        out.write(increment >>> 16);
        out.write(increment >>> 8);
        out.write(increment);
    }

    private void setting(int id, int value) {
        out.write(id >>> 8);
        out.write(id);
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }

    private void frameHeader(int len, int type, int flags, int stream) {
        out.write(len >>> 16);
        out.write(len >>> 8);
        out.write(len);
        out.write(type);
        out.write(flags);
        out.write(stream >>> 24);
        out.write(stream >>> 16);
        out.write(stream >>> 8);
        out.write(stream);
    }

    private void flush() throws IOException {
        if (out.size() == 0) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(out.toByteArray());
        out.reset();
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /** Makes at least {@code n} bytes readable in {@code in}. */
    private void need(int n) throws IOException {
        if (in.remaining() >= n) {
            return;
        }
        in.compact();
        try {
            while (in.position() < n) {
                if (channel.read(in) < 0) {
                    throw new EOFException("the server closed the connection");
                }
            }
        } finally {
            in.flip();
        }
    }

    @Override
    public void close() {
        usable = false;
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to do with a connection that does not close cleanly
        }
    }

    /** One call's stream: its send window, the response body so far, and its reply once it ended. */
    private static final class Stream {
        final int id;
        long sendWindow;
        int unacked;
        final ByteArrayOutputStream body = new ByteArrayOutputStream(256);
        List<Hpack.Field> headers;
        UnaryReply reply;

        Stream(int id, int sendWindow) {
            this.id = id;
            this.sendWindow = sendWindow;
        }

        /** The response headers (first) or trailers (second, or first with END_STREAM): the reply, or null while open. */
        UnaryReply onHeaders(List<Hpack.Field> fields, boolean endStream) {
            if (headers == null) {
                headers = fields;
                Status http = UnaryReply.httpStatus(fields);
                if (http != null) {
                    return UnaryReply.failed(http);
                }
                return endStream ? UnaryReply.of(fields, null) : null;
            }
            if (!endStream) {
                return UnaryReply.failed(Status.INTERNAL.withDescription("headers after the response headers that do not end the stream"));
            }
            return UnaryReply.of(fields, body.toByteArray());
        }
    }
}
