// The WebAssembly twin of csrTimesDenseRows (sparse-products.ts): rows [rowStart, rowEnd) of
// X·B added into `out`, with X in CSR (int32 indptr / indices, float32 values), B float32
// row-major (cols × k) and out float64 (rows × k), all in one shared memory.
//
// Bit-identical to the JavaScript kernel, by construction: the same grouping of stored entries
// (eight per sweep of the output row, then four, then one), and per output entry the same
// expression, out + ((v0·b0 + v1·b1) + … + v7·b7), in float64. Float32 values widen to float64
// exactly and float64 add / multiply are correctly rounded in both languages (WebAssembly has no
// implicit fused multiply-add), so only the number of lanes differs: two output columns per f64x2
// instruction here instead of one, and no bounds checks. Measured on a 50k × 49k matrix with 4 M
// stored entries and k = 110: 550–640 ms in JavaScript, 300–340 ms here (once optimised).
// Tried and slower: two or three column pairs per iteration with their own sums (the gathered B
// rows' memory latency bounds the loop, not the add chain), and column tiles (8–56 columns).

import { Code, encodeModule, F64, type FunctionDef, I32, V128, type ValueType } from './encoder.ts';

/** Export name of the kernel: (indptr, indices, data, b, out, k, rowStart, rowEnd), pointers in bytes. */
export const CSR_ROWS = 'csrTimesDenseRows';

// Parameters.
const INDPTR = 0;
const INDICES = 1;
const DATA = 2;
const B = 3;
const OUT = 4;
const K = 5;
const ROW_START = 6;
const ROW_END = 7;
// i32 locals.
const I = 8; // row
const P = 9; // stored entry
const END = 10; // end of the row's stored entries
const O = 11; // address of the row's output
const KB = 12; // bytes of a B row (k · 4)
const EVEN_BYTES = 13; // bytes of a B row covered by column pairs ((k & ~1) · 4)
const CB = 14; // byte offset into the current B rows
const OC = 15; // address of the current output column
const R0 = 16; // R0 + j: address of the B row of stored entry p + j (j < 8)
const Q = 24; // scratch address
// v128 locals: V0 + j holds entry p + j's value in both lanes; ACC the current pair's sum.
const V0 = 25;
const ACC = 33;
// f64 locals: S0 + j, entry p + j's value (for the last column when k is odd).
const S0 = 34;

const LOCALS: ValueType[] = [...Array<ValueType>(17).fill(I32), ...Array<ValueType>(9).fill(V128), ...Array<ValueType>(8).fill(F64)];

/** Sweeps of the output row that fold in `group` stored entries at a time, while p + group ≤ end. */
function groupLoop(c: Code, group: number): void {
  c.block().loop();
  c.get(P).i32(group).i32Add().get(END).i32GtU().brIf(1);
  // The group's values (widened) and B row addresses.
  c.get(P).i32(2).i32Shl().get(DATA).i32Add().set(Q);
  for (let j = 0; j < group; j++) c.get(Q).f32Load(4 * j).f64PromoteF32().tee(S0 + j).f64x2Splat().set(V0 + j);
  c.get(P).i32(2).i32Shl().get(INDICES).i32Add().set(Q);
  for (let j = 0; j < group; j++) c.get(Q).i32Load(4 * j).get(KB).i32Mul().get(B).i32Add().set(R0 + j);
  // Column pairs: out[c, c+1] += v0·b0 + v1·b1 + … (two float32 of each B row, widened).
  c.i32(0).set(CB);
  c.get(O).set(OC);
  c.block().loop();
  c.get(CB).get(EVEN_BYTES).i32GeU().brIf(1);
  for (let j = 0; j < group; j++) {
    c.get(V0 + j).get(R0 + j).get(CB).i32Add().v128Load64Zero().f64x2PromoteLowF32x4().f64x2Mul();
    if (j > 0) c.get(ACC).f64x2Add(); // v_j·b_j + acc: addition commutes exactly
    c.set(ACC);
  }
  c.get(OC).get(OC).v128Load().get(ACC).f64x2Add().v128Store();
  c.get(CB).i32(8).i32Add().set(CB);
  c.get(OC).i32(16).i32Add().set(OC);
  c.br(0).end().end();
  // The last column when k is odd (CB = EVEN_BYTES, OC at its output).
  c.get(K).i32(1).i32And().if();
  for (let j = 0; j < group; j++) {
    c.get(S0 + j).get(R0 + j).get(CB).i32Add().f32Load().f64PromoteF32().f64Mul();
    if (j > 0) c.f64Add();
  }
  c.set(S0); // S0 is reloaded before its next use
  c.get(OC).get(OC).f64Load().get(S0).f64Add().f64Store();
  c.end();
  c.get(P).i32(group).i32Add().set(P);
  c.br(0).end().end();
}

function csrRowsFunction(): FunctionDef {
  const c = new Code();
  c.get(K).i32(2).i32Shl().set(KB);
  c.get(K).i32(-2).i32And().i32(2).i32Shl().set(EVEN_BYTES);
  c.get(ROW_START).set(I);
  c.block().loop();
  c.get(I).get(ROW_END).i32GeU().brIf(1);
  c.get(I).i32(2).i32Shl().get(INDPTR).i32Add().tee(Q).i32Load().set(P);
  c.get(Q).i32Load(4).set(END);
  c.get(I).get(K).i32Mul().i32(3).i32Shl().get(OUT).i32Add().set(O);
  groupLoop(c, 8);
  groupLoop(c, 4);
  groupLoop(c, 1);
  c.get(I).i32(1).i32Add().set(I);
  c.br(0).end().end();
  return { name: CSR_ROWS, params: Array<ValueType>(8).fill(I32), locals: LOCALS, body: c };
}

/** The kernel module's bytes (imports env.memory, a shared memory of at most `maxPages`). */
export function sparseRowsModuleBytes(maxPages: number): Uint8Array<ArrayBuffer> {
  return encodeModule([csrRowsFunction()], maxPages);
}
