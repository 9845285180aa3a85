/** ISC DHCP failover wire protocol (failover-protocol.md §1): constants, option table, codec, framer. */
export * from './constants.js'
export * from './option-defs.js'
export * from './message.js'
export * from './options.js'
export * from './messages.js'
export * from './framer.js'
