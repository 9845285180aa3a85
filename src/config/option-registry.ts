/**
 * The option definitions in force while compiling: the standard table plus
 * `option NAME code N = TYPE;` definitions, which replace a standard option with the same
 * code or name, as in ISC dhcpd (e.g. `option rfc3442-classless-static-routes code 121 = …`).
 */
import { DHCP_OPTIONS, optionByName, type OptionDef } from '../protocol/dhcp/option-defs.js'

export class OptionRegistry {
  private readonly byName = new Map<string, OptionDef>()
  private readonly byCode = new Map<number, OptionDef>()
  private readonly custom: OptionDef[] = []

  constructor() {
    for (const def of DHCP_OPTIONS) {
      this.byName.set(def.name, def)
      this.byCode.set(def.code, def)
    }
  }

  /** Looks up `name`, `dhcp.name` or `agent.name`. */
  lookup(name: string): OptionDef | undefined {
    const lower = name.toLowerCase()
    if (lower.startsWith('agent.')) return optionByName(lower)
    return this.byName.get(lower.startsWith('dhcp.') ? lower.slice(5) : lower)
  }

  /** Adds a custom definition; returns the definition it replaced, if any. */
  define(def: OptionDef): OptionDef | undefined {
    const replaced = this.byCode.get(def.code) ?? this.byName.get(def.name)
    const sameCode = this.byCode.get(def.code)
    if (sameCode && sameCode.name !== def.name) this.byName.delete(sameCode.name)
    const sameName = this.byName.get(def.name)
    if (sameName && sameName.code !== def.code) this.byCode.delete(sameName.code)
    this.byName.set(def.name, def)
    this.byCode.set(def.code, def)
    this.custom.push(def)
    return replaced
  }

  names(): Iterable<string> {
    return this.byName.keys()
  }

  customDefinitions(): readonly OptionDef[] {
    return this.custom
  }
}
