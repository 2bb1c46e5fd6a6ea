package io.shoal.cli.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import picocli.CommandLine;

import javax.net.ssl.SSLException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The CLI's channel to a daemon: {@code unix:///path} (plaintext, guarded by file permissions) or
 * {@code tcp://IP:PORT} (mutual TLS with ca.pem, cert.pem and key.pem from {@code SHOAL_CERT_PATH}).
 *
 * <p>The channel runs on an event loop of its own, which {@link #close} stops: a thread left waiting
 * in epoll (native code) holds the JVM's exit for 300 ms, the exit waiting for threads in native
 * code to come back, which was a quarter of a client command's time (docs/operations.md, "A fast CLI").
 */
public final class Connection implements AutoCloseable {
    private final String host;
    private final EpollEventLoopGroup group;
    private final ManagedChannel channel;

    private Connection(String host, EpollEventLoopGroup group, ManagedChannel channel) {
        this.host = host;
        this.group = group;
        this.channel = channel;
    }

    public static Connection open(String host, CommandLine cmd) {
        if (host.startsWith("unix://")) {
            String path = host.substring("unix://".length());
            if (path.isEmpty()) {
                throw new CommandLine.ParameterException(cmd, "--host: '" + host + "' names no socket path");
            }
            EpollEventLoopGroup group = new EpollEventLoopGroup(1);
            return new Connection(host, group, NettyChannelBuilder.forAddress(new DomainSocketAddress(path))
                    .channelType(EpollDomainSocketChannel.class)
                    .eventLoopGroup(group)
                    .usePlaintext()
                    .build());
        }
        if (host.startsWith("tcp://")) {
            String addr = host.substring("tcp://".length());
            if (!addr.matches("[^:/\\s]+:\\d{1,5}") && !addr.matches("\\[[0-9a-fA-F:.]+]:\\d{1,5}")) {
                throw new CommandLine.ParameterException(cmd, "--host: '" + host + "' is not tcp://IP:PORT");
            }
            String certPath = System.getenv("SHOAL_CERT_PATH");
            if (certPath == null || certPath.isBlank()) {
                throw new CommandLine.ParameterException(cmd,
                        "--host tcp:// needs SHOAL_CERT_PATH: a directory with ca.pem, cert.pem and key.pem");
            }
            Path dir = Path.of(certPath);
            for (String f : new String[] {"ca.pem", "cert.pem", "key.pem"}) {
                if (!Files.isReadable(dir.resolve(f))) {
                    throw new CommandLine.ParameterException(cmd, "SHOAL_CERT_PATH: " + dir.resolve(f) + " is missing");
                }
            }
            refuseExpired(cmd, dir.resolve("cert.pem"));
            try {
                var ssl = GrpcSslContexts.forClient()
                        .trustManager(new File(dir.resolve("ca.pem").toString()))
                        .keyManager(new File(dir.resolve("cert.pem").toString()), new File(dir.resolve("key.pem").toString()))
                        .build();
                EpollEventLoopGroup group = new EpollEventLoopGroup(1);
                return new Connection(host, group, NettyChannelBuilder.forTarget(addr)
                        .channelType(EpollSocketChannel.class).eventLoopGroup(group).sslContext(ssl).build());
            } catch (SSLException | IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, "SHOAL_CERT_PATH: cannot load the TLS files: " + e.getMessage());
            }
        }
        throw new CommandLine.ParameterException(cmd, "--host: '" + host + "' must be unix:///path or tcp://IP:PORT");
    }

    /** An expired certificate gets one line here rather than a failed handshake with the manager. */
    private static void refuseExpired(CommandLine cmd, Path certFile) {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(certFile)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | CertificateException | ClassCastException e) {
            throw new CommandLine.ParameterException(cmd, "SHOAL_CERT_PATH: " + certFile + " is not a PEM certificate");
        }
        Instant notAfter = cert.getNotAfter().toInstant();
        if (Instant.now().isAfter(notAfter)) {
            throw new CommandLine.ParameterException(cmd, "SHOAL_CERT_PATH: " + certFile + " expired at " + notAfter
                    + ": get a new one with 'shoal ca client-cert' on a manager");
        }
    }

    public String host() {
        return host;
    }

    public ManagedChannel channel() {
        return channel;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
}
