// A minimal WebAssembly binary encoder: just what our hand-written kernels need (one imported
// shared memory, exported functions over i32 / f32 / f64 / v128 locals, structured control flow,
// loads and stores, a few scalar and SIMD arithmetic ops). Why by hand: there is no wasm
// toolchain on these machines, and a few hundred bytes of kernel do not justify one; the
// kernels are written as opcode sequences in TypeScript and validated by the engine on load.
// Encoding reference: the WebAssembly core spec, §5 (binary format) and the SIMD proposal.

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValueType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`uleb: ${n} is not a u32`);
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(n: number): number[] {
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw new RangeError(`sleb: ${n} is not an i32`);
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** The instructions of one function body. Methods append and return `this`, to read like code. */
export class Code {
  readonly bytes: number[] = [];

  private op(...b: number[]): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }
  private simd(opcode: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...imm);
  }

  // control
  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  if(): this {
    return this.op(0x04, 0x40);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c, ...uleb(depth));
  }
  brIf(depth: number): this {
    return this.op(0x0d, ...uleb(depth));
  }
  /** The first of two values when the i32 on top is nonzero, else the second. */
  select(): this {
    return this.op(0x1b);
  }
  // locals
  get(i: number): this {
    return this.op(0x20, ...uleb(i));
  }
  set(i: number): this {
    return this.op(0x21, ...uleb(i));
  }
  tee(i: number): this {
    return this.op(0x22, ...uleb(i));
  }
  // i32
  i32(n: number): this {
    return this.op(0x41, ...sleb(n));
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  i32And(): this {
    return this.op(0x71);
  }
  i32Shl(): this {
    return this.op(0x74);
  }
  i32ShrU(): this {
    return this.op(0x76);
  }
  i32GtU(): this {
    return this.op(0x4b);
  }
  i32GeU(): this {
    return this.op(0x4f);
  }
  i32LtU(): this {
    return this.op(0x49);
  }
  // memory (offset is a constant byte offset added to the address on the stack)
  i32Load(offset = 0): this {
    return this.op(0x28, 0, ...uleb(offset));
  }
  f32Load(offset = 0): this {
    return this.op(0x2a, 0, ...uleb(offset));
  }
  f64Load(offset = 0): this {
    return this.op(0x2b, 0, ...uleb(offset));
  }
  f64Store(offset = 0): this {
    return this.op(0x39, 0, ...uleb(offset));
  }
  // f64
  f64Const(x: number): this {
    const bytes = new Uint8Array(new Float64Array([x]).buffer); // little-endian on every engine we run
    return this.op(0x44, ...bytes);
  }
  f64Add(): this {
    return this.op(0xa0);
  }
  f64Mul(): this {
    return this.op(0xa2);
  }
  f64PromoteF32(): this {
    return this.op(0xbb);
  }
  // SIMD
  v128Load(offset = 0): this {
    return this.simd(0x00, 0, ...uleb(offset));
  }
  v128Store(offset = 0): this {
    return this.simd(0x0b, 0, ...uleb(offset));
  }
  /** Two f32 from memory into the low half of a v128 (the high half zero). */
  v128Load64Zero(offset = 0): this {
    return this.simd(0x5d, 0, ...uleb(offset));
  }
  f64x2Splat(): this {
    return this.simd(0x14);
  }
  f64x2Add(): this {
    return this.simd(0xf0);
  }
  f64x2Mul(): this {
    return this.simd(0xf2);
  }
  /** The two low f32 lanes widened to f64 (exact). */
  f64x2PromoteLowF32x4(): this {
    return this.simd(0x5f);
  }
}

export interface FunctionDef {
  name: string;
  params: ValueType[];
  locals: ValueType[];
  body: Code;
}

/**
 * A module that imports one shared memory as env.memory (no initial pages required, growable to
 * `maxPages` 64 KiB pages) and exports `functions` (no results).
 */
export function encodeModule(functions: FunctionDef[], maxPages: number): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), 0x00]);
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x03, ...uleb(0), ...uleb(maxPages)];
  const code = functions.map((f) => {
    const locals = runLengths(f.locals).map(([count, type]) => [...uleb(count), type]);
    const body = [...vec(locals), ...f.body.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  });
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([memoryImport])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(code)),
  ];
  return new Uint8Array(bytes);
}

function runLengths(types: ValueType[]): [number, ValueType][] {
  const out: [number, ValueType][] = [];
  for (const t of types) {
    const last = out[out.length - 1];
    if (last && last[1] === t) last[0]++;
    else out.push([1, t]);
  }
  return out;
}
