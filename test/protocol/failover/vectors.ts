/**
 * The byte-exact vectors of failover-protocol.md §1.8, captured from dhcpd 4.4.3-P1 and typed
 * here from the document (never produced by our encoder). Comments name the fields.
 */
import { hex } from '../../helpers/bytes.js'

export const VECTORS = {
  connect: hex(`
    006d 05 0c 6b047ee9 00000000              # len 109, CONNECT, payoff 12, time, xid 0
    0016 0007 666f2d74657374                  # 22 relationship-name "fo-test"
    000e 0004 0000000a                        # 14 max-unacked-bndupd 10
    0013 0004 0000001e                        # 19 receive-timer 30
    001c 000c 6973632d342e342e332d5031        # 28 vendor-class "isc-4.4.3-P1"
    0014 0001 01                              # 20 protocol-version 1
    001b 0001 00                              # 27 TLS-request 0
    000f 0004 0000003c                        # 15 MCLT 60
    000b 0020 ffffffffffffffffffffffffffffffff00000000000000000000000000000000  # 11 HBA, split 128
  `),
  connectAck: hex(`
    0041 06 0c 6b047ee9 00000000
    0016 0007 666f2d74657374
    000e 0004 0000000a
    0013 0004 0000001e
    001c 000c 6973632d342e342e332d5031
    0014 0001 01
    001a 0001 00                              # 26 TLS-reply 0
  `),
  stateRecoverStartup: hex(`
    001e 0a 0c 6b047ee9 00000000
    0018 0001 06                              # 24 server-state recover
    0017 0001 01                              # 23 server-flags STARTUP
    0019 0004 6b047ee9                        # 25 start-time-of-state
  `),
  updreqall: hex('000c 07 0c 6b047ee9 00000003'),
  upddone: hex('000c 08 0c 6b047ee9 00000004'),
  contact: hex('000c 0b 0c 6b047ef3 00000025'),
  bndupdActive: hex(`
    004f 03 0c 6b047f30 0000002c
    0002 0004 0a63006e                        # assigned-IP 10.99.0.110
    0003 0001 02                              # binding-status ACTIVE
    0004 0007 01020000000001                  # client-identifier
    0005 0007 01020000000001                  # chaddr: htype 1 + 02:00:00:00:00:01
    000d 0004 6b047f6c                        # ends
    0012 0004 6b0481a6                        # potential-expiration
    0019 0004 6b047f30                        # stos (= starts)
    0006 0004 6b047f30                        # cltt
  `),
  bndackActive: hex('0014 04 0c 6b047f32 0000002c  0002 0004 0a63006e'),
  bndupdBackup: hex(`
    0031 03 0c 6b047ee9 0000001c
    0002 0004 0a630065                        # 10.99.0.101
    0003 0001 07                              # BACKUP
    000d 0004 00000000
    0012 0004 6b047ee9
    0019 0004 6b047ee9
  `),
  bndackReject: hex(`
    0052 04 0c 6b047ee9 00000004
    0002 0004 0a630064                        # 10.99.0.100
    0015 0001 10                              # reject-reason 16
    0010 0035 696e636f6d696e6720757064617465206973206c65737320637269746963616c207468616e206f7574676f696e6720757064617465
  `),
} as const
