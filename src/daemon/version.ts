/** Version text shared by `--version` and the start-up banner. */
export const VERSION = '0.1.0'
export const VERSION_TEXT = `hadhcpd ${VERSION} (ISC dhcpd 4.4 compatible DHCPv4 server)`
