package io.shoal.net.crypt;

import io.shoal.net.ipam.Ipv4;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Moves the VXLAN packets of encrypted networks between the kernel and the underlay, sealed.
 *
 * <ul>
 *   <li>Out: the VXLAN device of an encrypted network has its forwarding entries pointed at
 *       {@value #ADDRESS}:PORT, one port per peer host, on sockets in the relay namespace (a
 *       destination on the host itself would be short-circuited by the kernel's VXLAN driver to a
 *       local VXLAN device and never reach a socket). The relay seals what it reads there with the
 *       VNI's primary key and sends it from its underlay socket to the peer's relay port.
 *   <li>In: what arrives on the underlay socket is opened ({@link PacketCipher}: key, tag, VNI,
 *       replay) and handed to the kernel's VXLAN socket on 127.0.0.1; anything else is dropped and
 *       counted. The host's nftables drop plain VXLAN of an encrypted VNI that does not come
 *       from loopback (the data plane's table), so only what the relay opened reaches the device.
 * </ul>
 *
 * One thread with a selector moves every packet, so one {@link PacketCipher} (one counter) seals
 * them all. {@link #update} may be called from any thread.
 */
public final class Relay implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Relay.class.getName());
    /** the relay namespace's end of its link: where the VXLAN devices send encrypted networks' packets */
    public static final String ADDRESS = io.shoal.net.plane.Naming.RELAY_ADDRESS;
    /** the host's end of that link */
    public static final String HOST_ADDRESS = io.shoal.net.plane.Naming.RELAY_HOST_ADDRESS;
    private static final AtomicLong LAST_EPOCH = new AtomicLong();

    /** Runs code in a network namespace (null: this process's own), so the sockets it opens live there. */
    @FunctionalInterface
    public interface Namespaces {
        <T> T run(String netns, Callable<T> code) throws IOException;
    }

    private final Namespaces namespaces;
    private final String hostNetns;
    private final String relayNetns;
    private final int port;
    private final InetSocketAddress vxlan;
    private final Selector selector;
    private final DatagramChannel underlay;
    private final PacketCipher cipher;
    private final Thread loop;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final LongAdder sealed = new LongAdder();
    private final LongAdder opened = new LongAdder();
    private final Map<PacketCipher.Refusal, LongAdder> refused = new EnumMap<>(PacketCipher.Refusal.class);
    private final LongAdder unkeyed = new LongAdder();
    /** peer host -> its channel in the relay namespace (read and written on the loop thread only) */
    private final Map<String, Peer> peers = new HashMap<>();
    private volatile KeyRing keys = KeyRing.empty();
    /** the relay namespace the peer channels were opened in (its inode), to notice it was made again */
    private Object relayNs;

    private record Peer(String host, DatagramChannel channel, InetSocketAddress to, int port) {}

    /**
     * @param hostNetns  the underlay's namespace (null: this process's own)
     * @param relayNetns the relay namespace (made by the data plane) holding {@value #ADDRESS}
     * @param underlayIp this host's underlay address (names it in sealed packets)
     * @param port       the relay's UDP port on the underlay, the same on every host
     * @param vxlanPort  the kernel's VXLAN port, where opened packets go on 127.0.0.1
     */
    public Relay(Namespaces namespaces, String hostNetns, String relayNetns, String underlayIp, int port, int vxlanPort)
            throws IOException {
        this.namespaces = namespaces;
        this.hostNetns = hostNetns;
        this.relayNetns = relayNetns;
        this.port = port;
        this.vxlan = new InetSocketAddress("127.0.0.1", vxlanPort);
        for (PacketCipher.Refusal r : PacketCipher.Refusal.values()) {
            refused.put(r, new LongAdder());
        }
        this.cipher = new PacketCipher(Ipv4.parse(underlayIp), LAST_EPOCH.updateAndGet(l -> Math.max(l + 1, System.currentTimeMillis())));
        this.selector = Selector.open();
        this.underlay = namespaces.run(hostNetns, () -> {
            DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET);
            c.bind(new InetSocketAddress("0.0.0.0", port));
            return c;
        });
        underlay.configureBlocking(false);
        underlay.register(selector, SelectionKey.OP_READ, null);
        this.loop = Thread.ofPlatform().daemon().name("overlay-relay").start(this::run);
    }

    /**
     * Holds {@code keys} from now on and keeps one local socket per peer host in {@code hosts}
     * (closing the others); returns each peer host's local port, for its VXLAN forwarding entries.
     */
    public Map<String, Integer> update(KeyRing keys, Set<String> hosts) throws IOException {
        this.keys = keys;
        Object ns = inode();
        CompletableRun<Map<String, Integer>> done = new CompletableRun<>();
        tasks.add(() -> done.complete(() -> {
            cipher.retain(keys);
            boolean moved = relayNs != null && !relayNs.equals(ns);
            for (var it = peers.values().iterator(); it.hasNext(); ) {
                Peer p = it.next();
                if (moved || !hosts.contains(p.host())) {
                    p.channel().close();
                    it.remove();
                }
            }
            relayNs = ns;
            for (String h : hosts) {
                if (!peers.containsKey(h)) {
                    DatagramChannel c = namespaces.run(relayNetns, () -> {
                        DatagramChannel d = DatagramChannel.open(StandardProtocolFamily.INET);
                        d.bind(new InetSocketAddress(ADDRESS, 0));
                        return d;
                    });
                    c.configureBlocking(false);
                    Peer p = new Peer(h, c, new InetSocketAddress(h, port), ((InetSocketAddress) c.getLocalAddress()).getPort());
                    c.register(selector, SelectionKey.OP_READ, p);
                    peers.put(h, p);
                }
            }
            Map<String, Integer> out = new TreeMap<>();
            peers.values().forEach(p -> out.put(p.host(), p.port()));
            return out;
        }));
        selector.wakeup();
        return done.await();
    }

    /** The names {@link #counters} uses, whether or not a relay runs. */
    public static List<String> counterNames() {
        List<String> out = new ArrayList<>(List.of("sealed", "opened", "unkeyed"));
        for (PacketCipher.Refusal r : PacketCipher.Refusal.values()) {
            out.add("refused_" + r.name().toLowerCase());
        }
        return out;
    }

    /** Packets sealed and sent, opened and delivered, refused by reason (and those of a VNI without a key). */
    public Map<String, Long> counters() {
        Map<String, Long> out = new TreeMap<>();
        out.put("sealed", sealed.sum());
        out.put("opened", opened.sum());
        out.put("unkeyed", unkeyed.sum());
        refused.forEach((r, n) -> out.put("refused_" + r.name().toLowerCase(), n.sum()));
        return out;
    }

    /** The relay's UDP port on the underlay. */
    public int port() {
        return port;
    }

    private Object inode() throws IOException {
        Path p = Path.of("/run/netns", relayNetns);
        return Files.exists(p) ? Files.getAttribute(p, "unix:ino") : "none";
    }

    private void run() {
        ByteBuffer in = ByteBuffer.allocate(65536);
        ByteBuffer out = ByteBuffer.allocate(65536);
        try {
            while (selector.isOpen()) {
                selector.select();
                for (Runnable r; (r = tasks.poll()) != null; ) {
                    r.run();
                }
                var ready = selector.selectedKeys().iterator();
                while (ready.hasNext()) {
                    SelectionKey k = ready.next();
                    ready.remove();
                    if (!k.isValid()) {
                        continue;
                    }
                    try {
                        if (k.attachment() instanceof Peer p) {
                            drainOut(p, in, out);
                        } else {
                            drainIn(in, out);
                        }
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.DEBUG, "relay: " + e);
                    }
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (selector.isOpen()) {
                LOG.log(System.Logger.Level.WARNING, "the overlay relay stopped: " + e);
            }
        }
    }

    /** Plain VXLAN from the kernel for one peer: sealed to that peer's relay. */
    private void drainOut(Peer p, ByteBuffer in, ByteBuffer out) throws IOException {
        for (int i = 0; i < 64; i++) {
            in.clear();
            if (p.channel().receive(in) == null) {
                return;
            }
            in.flip();
            if (in.remaining() < 8) {
                continue;
            }
            int vni = ((in.get(4) & 0xff) << 16) | ((in.get(5) & 0xff) << 8) | (in.get(6) & 0xff);
            NetworkKey key = keys.sealing(vni);
            if (key == null) {
                unkeyed.increment();
                continue;
            }
            InnerChecksum.fix(in);
            cipher.seal(key, in, out);
            underlay.send(out, p.to());
            sealed.increment();
        }
    }

    /** Sealed packets from peers: opened and handed to the kernel's VXLAN socket. */
    private void drainIn(ByteBuffer in, ByteBuffer out) throws IOException {
        for (int i = 0; i < 64; i++) {
            in.clear();
            if (underlay.receive(in) == null) {
                return;
            }
            in.flip();
            try {
                cipher.open(keys, in, out);
            } catch (PacketCipher.RefusedException e) {
                refused.get(e.reason()).increment();
                continue;
            }
            underlay.send(out, vxlan);
            opened.increment();
        }
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            // closing
        }
        loop.interrupt();
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        peers.values().forEach(p -> closeQuietly(p.channel()));
        peers.clear();
        closeQuietly(underlay);
    }

    private static void closeQuietly(DatagramChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing
        }
    }

    /** A result computed on the loop thread and awaited by the caller. */
    private static final class CompletableRun<T> {
        private final CompletableFuture<T> f = new CompletableFuture<>();

        void complete(Callable<T> c) {
            try {
                f.complete(c.call());
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        }

        T await() throws IOException {
            try {
                return f.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                throw new IOException("the overlay relay did not answer in 30 s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }
}
