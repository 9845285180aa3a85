/**
 * An independent classic-BPF interpreter for the instructions our filters use (ld/ldx/jmp/ret
 * subsets), so a filter can be tested against captured frames without a kernel.
 */
import type { BpfInstruction } from '../../src/protocol/l2/bpf.js'

export function runBpf(program: readonly BpfInstruction[], pkt: Buffer): number {
  let a = 0
  let x = 0
  let pc = 0
  const load = (off: number, size: number): number | undefined => {
    if (off < 0 || off + size > pkt.length) return undefined
    return size === 4 ? pkt.readUInt32BE(off) : size === 2 ? pkt.readUInt16BE(off) : pkt[off]!
  }
  for (let steps = 0; steps < 4096; steps++) {
    const ins = program[pc]
    if (ins === undefined) throw new Error(`BPF: fell off the program at ${pc}`)
    pc++
    const cls = ins.code & 0x07
    const size = ins.code & 0x18 // 0x00 W, 0x08 H, 0x10 B
    const mode = ins.code & 0xe0
    const bytes = size === 0x00 ? 4 : size === 0x08 ? 2 : 1
    switch (cls) {
      case 0x00: { // LD
        const off = mode === 0x20 ? ins.k : mode === 0x40 ? x + ins.k : undefined
        if (mode === 0x00) {
          a = ins.k
          break
        }
        if (off === undefined) throw new Error(`BPF: unsupported ld mode 0x${ins.code.toString(16)}`)
        const v = load(off, bytes)
        if (v === undefined) return 0
        a = v
        break
      }
      case 0x01: { // LDX
        if (mode === 0xa0) { // MSH: 4 * (P[k] & 0xf)
          const v = load(ins.k, 1)
          if (v === undefined) return 0
          x = (v & 0x0f) * 4
        } else if (mode === 0x00) x = ins.k
        else throw new Error(`BPF: unsupported ldx 0x${ins.code.toString(16)}`)
        break
      }
      case 0x05: { // JMP
        const op = ins.code & 0xf0
        const src = ins.code & 0x08 ? x : ins.k
        let cond: boolean
        if (op === 0x00) {
          pc += ins.k
          break
        } else if (op === 0x10) cond = a === src
        else if (op === 0x20) cond = a > src
        else if (op === 0x30) cond = a >= src
        else if (op === 0x40) cond = (a & src) !== 0
        else throw new Error(`BPF: unsupported jmp 0x${ins.code.toString(16)}`)
        pc += cond ? ins.jt : ins.jf
        break
      }
      case 0x06: // RET
        return ins.code & 0x10 ? a : ins.k
      default:
        throw new Error(`BPF: unsupported class ${cls}`)
    }
  }
  throw new Error('BPF: too many steps')
}
