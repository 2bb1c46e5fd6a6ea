package io.shoal.e2e;

import io.shoal.net.sys.Netns;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A packet capture on one interface of a namespace, as tcpdump would take it (tcpdump is not
 * installed here): an AF_PACKET socket (Foreign Function & Memory API) read on its own thread,
 * counting every frame, the frames that hold a marker, and UDP datagrams to one port.
 */
final class UnderlayCapture implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle BIND = handle("bind", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SETSOCKOPT = handle("setsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle RECV = handle("recv", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle IFINDEX = handle("if_nametoindex", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final short ETH_P_ALL_BE = 0x0300; // htons(0x0003)
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;

    private final int fd;
    private final byte[] marker;
    private final int udpPort;
    private final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicLong frames = new AtomicLong();
    final AtomicLong withMarker = new AtomicLong();
    final AtomicLong toPort = new AtomicLong();
    /** the key ids of sealed packets to the port, in the order first seen, each with the first such packet's UDP payload */
    final Map<Integer, byte[]> sealedByKey = Collections.synchronizedMap(new LinkedHashMap<>());
    /** when each of those key ids was first seen (System.nanoTime) */
    final Map<Integer, Long> firstSeen = new java.util.concurrent.ConcurrentHashMap<>();
    private final Thread reader;

    private static MethodHandle handle(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d);
    }

    /** Captures on {@code iface} inside namespace {@code netns}; counts frames holding {@code marker} and UDP to {@code udpPort}. */
    UnderlayCapture(String netns, String iface, String marker, int udpPort) throws IOException {
        this.marker = marker.getBytes(StandardCharsets.US_ASCII);
        this.udpPort = udpPort;
        this.fd = Netns.run(netns, () -> {
            try (Arena a = Arena.ofConfined()) {
                int s = (int) SOCKET.invokeExact(AF_PACKET, SOCK_RAW, (int) ETH_P_ALL_BE);
                if (s < 0) {
                    throw new IOException("cannot open a packet socket");
                }
                int index = (int) IFINDEX.invokeExact(a.allocateFrom(iface));
                MemorySegment sll = a.allocate(20);
                sll.set(ValueLayout.JAVA_SHORT, 0, (short) AF_PACKET);
                sll.set(ValueLayout.JAVA_SHORT, 2, ETH_P_ALL_BE);
                sll.set(ValueLayout.JAVA_INT, 4, index);
                if (index == 0 || (int) BIND.invokeExact(s, sll, 20) != 0) {
                    int ignored = (int) CLOSE.invokeExact(s);
                    throw new IOException("cannot bind a packet socket to " + iface + " in " + netns);
                }
                MemorySegment tv = a.allocate(16);
                tv.set(ValueLayout.JAVA_LONG, 0, 0L);
                tv.set(ValueLayout.JAVA_LONG, 8, 200_000L); // 200 ms, so close() is noticed
                int ignored = (int) SETSOCKOPT.invokeExact(s, SOL_SOCKET, SO_RCVTIMEO, tv, 16);
                return s;
            } catch (IOException e) {
                throw e;
            } catch (Throwable t) {
                throw new IOException(t);
            }
        });
        this.reader = Thread.ofPlatform().daemon().name("capture-" + iface).start(this::read);
    }

    private void read() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(65536);
            while (running.get()) {
                long n = (long) RECV.invokeExact(fd, buf, 65536L, 0);
                if (n <= 0) {
                    continue;
                }
                byte[] frame = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                frames.incrementAndGet();
                if (contains(frame, marker)) {
                    withMarker.incrementAndGet();
                }
                // Ethernet (14) + IPv4 (IHL) + UDP destination port
                if (n > 14 + 20 + 4 && frame[12] == 0x08 && frame[13] == 0 && frame[14 + 9] == 17) {
                    int ihl = (frame[14] & 0x0f) * 4;
                    int dport = ((frame[14 + ihl + 2] & 0xff) << 8) | (frame[14 + ihl + 3] & 0xff);
                    if (dport == udpPort) {
                        toPort.incrementAndGet();
                        int payload = 14 + ihl + 8;
                        if (n > payload + 5 && frame[payload] == 1) { // a sealed packet: version 1, then the key id
                            int keyId = ((frame[payload + 1] & 0xff) << 24) | ((frame[payload + 2] & 0xff) << 16)
                                    | ((frame[payload + 3] & 0xff) << 8) | (frame[payload + 4] & 0xff);
                            if (sealedByKey.putIfAbsent(keyId, java.util.Arrays.copyOfRange(frame, payload, (int) n)) == null) {
                                firstSeen.put(keyId, System.nanoTime());
                            }
                        }
                    }
                }
            }
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        running.set(false);
        try {
            reader.join(5000);
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            // closing
        }
    }
}
