/**
 * End-to-end lab for hadhcpd with real DHCP clients: the shared lab code lives in
 * src/lab/dhcp-lab.ts (also used by `npm run lab`); test-only configurations are here.
 */
export { DhcpLab, HADHCPD, READY_LINE, REPO_ROOT, parseHookLog, waitFor, waitForLog, type HookRecord } from '../../src/lab/dhcp-lab.js'

/** dhclient's config for tests: short timeouts, the usual options. */
export const DHCLIENT_CONF = 'timeout 20;\nretry 1;\nrequest subnet-mask, broadcast-address, routers, domain-name-servers, domain-name;\n'

/** Server config for the direct test subnet 198.18.30.0/24 (server 198.18.30.1). */
export function directConf(extra = '', leaseTime = 600): string {
  return `authoritative;
ddns-update-style none;
default-lease-time ${leaseTime};
max-lease-time ${leaseTime};
subnet 198.18.30.0 netmask 255.255.255.0 {
  option routers 198.18.30.1;
  option domain-name-servers 198.18.30.1;
  range 198.18.30.100 198.18.30.200;
}
${extra}`
}
