package io.shoal.net.ipam;

/** An allocation or validation the IPAM refused; the message is one line meant for the user. */
public final class IpamException extends RuntimeException {
    public IpamException(String message) {
        super(message);
    }
}
