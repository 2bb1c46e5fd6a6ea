/**
 * Encrypted overlay networks in userspace: this kernel has neither IPsec ESP with AES-GCM nor
 * WireGuard, so VXLAN packets of an encrypted network are sealed and opened by the daemon.
 *
 * <p>{@link io.shoal.net.crypt.PacketCipher} seals one VXLAN packet (AES-256-GCM under a key derived
 * per sender and per relay start, a counter as the nonce) and opens it, checking the key id, the
 * tag, the VNI the key is for, and replays ({@link io.shoal.net.crypt.ReplayWindow}).
 * {@link io.shoal.net.crypt.Relay} moves packets: the kernel's VXLAN device sends an encrypted
 * network's packets to one of the relay's local sockets (one per peer host, in a small relay
 * namespace, so that the kernel does not short-circuit a local destination), the relay seals them
 * to the peer's relay port, and hands what it opens to the local VXLAN socket on 127.0.0.1.
 */
package io.shoal.net.crypt;
