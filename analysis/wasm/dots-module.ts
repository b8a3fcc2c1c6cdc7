// The WebAssembly twin of k-means' dot-product blocks (kmeans-assign.ts: dots4 / dots1): for a
// block of rows x (float32, row-major, d columns) and k centres (float64), out[r·k + j] = x_r·c_j.
//
// Bit-identical to the JavaScript loops: each dot product is the same sequential sum over
// t = 0..d−1 of x[t]·c[t] in float64 (a float32 widens exactly; WebAssembly has no implicit fused
// multiply-add). The lanes run over two centres: the centres are stored as interleaved pairs,
// pairs[(j/2)·2d + 2t + {0,1}] = (c_j[t], c_{j+1}[t]), so one f64x2 load feeds both, and four
// rows share each load, as the JavaScript 4-row × 2-centre register block does. An odd last
// centre is summed in scalar code from its own row `last`.

import { Code, encodeModule, F64, type FunctionDef, I32, V128, type ValueType } from './encoder.ts';

/** Export name: (rows, nRows, pairs, last, k, d, out), pointers in bytes. */
export const DOTS_BLOCK = 'dotsBlock';

// Parameters.
const ROWS = 0;
const N_ROWS = 1;
const PAIRS = 2;
const LAST = 3;
const K = 4;
const D = 5;
const OUT = 6;
// i32 locals.
const R = 7; // row of the block
const X0 = 8; // X0 + q: address of row r + q (q < 4)
const O = 12; // address of out row r
const J = 13; // centre
const CP = 14; // address of the current centre pair
const TB = 15; // byte offset of x[t] in a row (t · 4)
const TC = 16; // address of pair (c_j[t], c_{j+1}[t]) or of c_last[t]
const DB = 17; // bytes of a row (d · 4)
const KB = 18; // bytes of an out row (k · 8)
// v128 locals: the sums of rows r + q for the current pair, and the pair's values at t.
const ACC = 19;
const W = 23;
// f64 locals: the sums of rows r + q for the odd last centre.
const S = 24;

const LOCALS: ValueType[] = [...Array<ValueType>(12).fill(I32), ...Array<ValueType>(5).fill(V128), ...Array<ValueType>(4).fill(F64)];

/** The dot products of `rows` consecutive rows (1 or 4) from X0 with every centre, into out row O. */
function rowGroup(c: Code, rows: number): void {
  for (let q = 1; q < rows; q++) c.get(X0 + q - 1).get(DB).i32Add().set(X0 + q);
  // Centre pairs.
  c.i32(0).set(J);
  c.get(PAIRS).set(CP);
  c.block().loop();
  c.get(J).i32(2).i32Add().get(K).i32GtU().brIf(1);
  for (let q = 0; q < rows; q++) c.f64Const(0).f64x2Splat().set(ACC + q);
  c.i32(0).set(TB);
  c.get(CP).set(TC);
  c.block().loop();
  c.get(TB).get(DB).i32GeU().brIf(1);
  c.get(TC).v128Load().set(W);
  for (let q = 0; q < rows; q++) {
    // acc + x[t]·(c_j[t], c_{j+1}[t]), as `a += p * w` in JavaScript
    c.get(ACC + q).get(X0 + q).get(TB).i32Add().f32Load().f64PromoteF32().f64x2Splat().get(W).f64x2Mul().f64x2Add().set(ACC + q);
  }
  c.get(TB).i32(4).i32Add().set(TB);
  c.get(TC).i32(16).i32Add().set(TC);
  c.br(0).end().end();
  // out[(r + q)·k + j, + 1] = the pair's sums
  for (let q = 0; q < rows; q++) {
    c.get(O).get(J).i32(3).i32Shl().i32Add();
    if (q > 0) c.get(KB).i32(q).i32Mul().i32Add();
    c.get(ACC + q).v128Store();
  }
  c.get(J).i32(2).i32Add().set(J);
  c.get(CP).get(D).i32(4).i32Shl().i32Add().set(CP); // a pair holds 2·d float64
  c.br(0).end().end();
  // The odd last centre (J = k − 1).
  c.get(K).i32(1).i32And().if();
  for (let q = 0; q < rows; q++) c.f64Const(0).set(S + q);
  c.i32(0).set(TB);
  c.get(LAST).set(TC);
  c.block().loop();
  c.get(TB).get(DB).i32GeU().brIf(1);
  for (let q = 0; q < rows; q++) {
    c.get(S + q).get(X0 + q).get(TB).i32Add().f32Load().f64PromoteF32().get(TC).f64Load().f64Mul().f64Add().set(S + q);
  }
  c.get(TB).i32(4).i32Add().set(TB);
  c.get(TC).i32(8).i32Add().set(TC);
  c.br(0).end().end();
  for (let q = 0; q < rows; q++) {
    c.get(O).get(J).i32(3).i32Shl().i32Add();
    if (q > 0) c.get(KB).i32(q).i32Mul().i32Add();
    c.get(S + q).f64Store();
  }
  c.end();
}

function dotsBlockFunction(): FunctionDef {
  const c = new Code();
  c.get(D).i32(2).i32Shl().set(DB);
  c.get(K).i32(3).i32Shl().set(KB);
  c.i32(0).set(R);
  // Four rows at a time, then one.
  for (const rows of [4, 1]) {
    c.block().loop();
    c.get(R).i32(rows).i32Add().get(N_ROWS).i32GtU().brIf(1);
    c.get(R).get(DB).i32Mul().get(ROWS).i32Add().set(X0);
    c.get(R).get(KB).i32Mul().get(OUT).i32Add().set(O);
    rowGroup(c, rows);
    c.get(R).i32(rows).i32Add().set(R);
    c.br(0).end().end();
  }
  return { name: DOTS_BLOCK, params: Array<ValueType>(7).fill(I32), locals: LOCALS, body: c };
}

/** The module's bytes (imports env.memory, a shared memory of at most `maxPages`). */
export function dotsModuleBytes(maxPages: number): Uint8Array<ArrayBuffer> {
  return encodeModule([dotsBlockFunction()], maxPages);
}
