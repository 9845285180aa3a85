/** dhcpd.conf texts shared by the core tests. */

/** A small authoritative server: one local subnet, one relayed subnet, a shared network. */
export const BASIC = `
authoritative;
default-lease-time 600;
max-lease-time 7200;
min-lease-time 300;
option domain-name-servers 10.0.0.53;
option domain-name "example.test";

subnet 10.0.10.0 netmask 255.255.255.0 {
  option routers 10.0.10.1;
  range 10.0.10.100 10.0.10.102;
}

subnet 192.168.5.0 netmask 255.255.255.0 {
  option routers 192.168.5.1;
  range 192.168.5.10 192.168.5.20;
}

shared-network campus {
  option domain-name "campus.test";
  subnet 172.16.1.0 netmask 255.255.255.0 {
    option routers 172.16.1.1;
    range 172.16.1.10 172.16.1.10;
  }
  subnet 172.16.2.0 netmask 255.255.255.0 {
    option routers 172.16.2.1;
    range 172.16.2.10 172.16.2.11;
  }
}
`

/** The same layout without `authoritative;`. */
export const NOT_AUTHORITATIVE = BASIC.replace('authoritative;', '')

/** Known/unknown-clients pools and a host with options in a group. */
export const KNOWN_UNKNOWN = `
authoritative;
subnet 10.0.20.0 netmask 255.255.255.0 {
  option routers 10.0.20.1;
  pool {
    allow known-clients;
    option domain-name "known.test";
    range 10.0.20.10 10.0.20.19;
  }
  pool {
    deny known-clients;
    range 10.0.20.100 10.0.20.109;
  }
}
group {
  option domain-name "group.test";
  host printer {
    hardware ethernet 00:11:22:33:44:55;
  }
}
`
