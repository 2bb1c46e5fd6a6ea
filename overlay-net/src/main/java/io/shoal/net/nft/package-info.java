/**
 * Service VIPs as nftables DNAT verdict maps, in the style of kube-proxy's nftables mode: table
 * {@code ip shoal}, map {@code vips} from {@code VIP . protocol . port} to a per-service chain that
 * spreads connections with {@code numgen random mod N vmap} over per-endpoint chains that DNAT.
 * {@link io.shoal.net.nft.ServiceRules} writes the text (pure); {@link io.shoal.net.nft.Nft} applies it
 * as one {@code nft -f} transaction in a network namespace.
 */
package io.shoal.net.nft;
