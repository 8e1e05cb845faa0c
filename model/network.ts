/** The cluster's address ranges and what tenants may reach over HTTPS outside them. Pure. */
import { isIPv4, isIPv6 } from "node:net";
import { ClusterNetworkConfig } from "../config/types";

/** A NetworkPolicy peer by address (networking.k8s.io/v1 IPBlock). */
export interface IpBlockPeer {
  readonly ipBlock: { readonly cidr: string; readonly except?: readonly string[] };
}

const family = (cidr: string): 4 | 6 => (cidr.includes(":") ? 6 : 4);

/** The address as a big integer, for the host-bits check. */
function addressBits(address: string): bigint {
  if (isIPv4(address)) return address.split(".").reduce((n, octet) => (n << 8n) | BigInt(Number(octet)), 0n);
  // An embedded IPv4 tail (::ffff:10.0.0.0) is the last two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    address = address.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail = ""] = address.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const h = groups(head);
  const t = groups(tail);
  const all = address.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  return all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/**
 * Why `cidr` is not one Kubernetes accepts in an IPBlock, or undefined: a valid address, a prefix within its
 * family's length, and no host bits set (the API server rejects non-canonical CIDRs:
 * pkg/apis/networking/validation ValidateIPBlock with StrictIPCIDRValidation).
 */
export function cidrProblem(cidr: string): string | undefined {
  const [address, prefixText] = cidr.split("/");
  const bits = isIPv4(address) ? 32 : isIPv6(address) ? 128 : 0;
  if (!bits) return `'${cidr}' is not an IPv4 or IPv6 address range`;
  const prefix = Number(prefixText);
  if (!/^\d+$/.test(prefixText ?? "") || prefix > bits) return `'${cidr}': the prefix length must be 0 to ${bits}`;
  const host = (1n << BigInt(bits - prefix)) - 1n;
  if ((addressBits(address) & host) !== 0n) return `'${cidr}' has host bits set (write the network address)`;
  return undefined;
}

/**
 * Where tenants' jobs may open HTTPS (443, 6443): anywhere but the cluster's pod and service ranges, so the
 * Kubernetes API and object storage are reachable and no other tenant's pod is; plus `httpsCidrs` inside them.
 * An `except` must lie inside its `cidr` and have its family, so each family gets its own block, and IPv6
 * only when the cluster has IPv6 ranges.
 */
export function httpsEgressPeers(net: ClusterNetworkConfig): IpBlockPeer[] {
  const excluded = [...net.podCidrs, ...net.serviceCidrs];
  const block = (all: string, f: 4 | 6): IpBlockPeer => ({ ipBlock: { cidr: all, except: excluded.filter((c) => family(c) === f) } });
  return [
    block("0.0.0.0/0", 4),
    ...(excluded.some((c) => family(c) === 6) ? [block("::/0", 6)] : []),
    ...(net.httpsCidrs ?? []).map((cidr) => ({ ipBlock: { cidr } })),
  ];
}
