/**
 * nftables NAT tables in the style of kube-proxy's nftables mode ({@link io.shoal.net.nft.NatMaps}):
 * fixed base chains look packets up in verdict maps whose elements jump to one chain per frontend,
 * holding one DNAT rule ({@code numgen random mod N} over an anonymous map of endpoints).
 * <ul>
 *   <li>service VIPs ({@link io.shoal.net.nft.ServiceRules}, applied per namespace by
 *       {@link io.shoal.net.nft.VipRuleset}, table {@code ip shoal_vip});
 *   <li>published ports ({@link io.shoal.net.nft.MeshTables}, table {@code ip shoal_ingress} on the host
 *       and in the ingress sandbox): small whole tables, a rule per published port, replaced whole.
 * </ul>
 * The generators are pure text; {@link io.shoal.net.nft.NatTable} applies the difference from what it
 * applied last as one {@code nft -f} transaction per change, rebuilding the whole table (one
 * transaction) on first use or when it is found missing or different; {@link io.shoal.net.nft.Nft}
 * runs {@code nft} in a network namespace.
 */
package io.shoal.net.nft;
