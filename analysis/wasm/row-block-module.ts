// WebAssembly twins of the 4-row × 2-column register blocks of k-means' assignment
// (kmeans-assign.ts: dots4 / dots1) and of the tall × small product (linalg.ts:
// multiplyTallBySmallRows): for a block of rows x (width values each) and `cols` columns c_j,
// out[r·cols + j] = Σ_{t < n_j} x_r[t]·c_j[t], with n_j = width, or min(width, j + 2) rounded to
// the pair for an upper-triangular small matrix (its zeros below the diagonal are then added at
// most once, as in JavaScript).
//
// Bit-identical to the JavaScript loops: each sum runs over t in order, in float64 (a float32
// widens exactly; WebAssembly has no implicit fused multiply-add). The lanes run over two columns:
// the columns are stored as interleaved pairs, pairs[(j/2)·2·width + 2t + {0,1}] =
// (c_j[t], c_{j+1}[t]), so one f64x2 load feeds both, and four rows share each load, like the
// JavaScript register blocks. An odd last column is summed in scalar code from its own copy `last`.

import { Code, encodeModule, F64, type FunctionDef, I32, V128, type ValueType } from './encoder.ts';

/** Export names: (rows, nRows, pairs, last, cols, width, out, upper), pointers in bytes. */
export const DOTS_F32 = 'dotsF32';
export const DOTS_F64 = 'dotsF64';

// Parameters.
const ROWS = 0;
const N_ROWS = 1;
const PAIRS = 2;
const LAST = 3;
const COLS = 4;
const WIDTH = 5;
const OUT = 6;
const UPPER = 7;
// i32 locals.
const R = 8; // row of the block
const X0 = 9; // X0 + q: address of row r + q (q < 4)
const O = 13; // address of out row r
const J = 14; // column
const CP = 15; // address of the current column pair
const TB = 16; // byte offset of x[t] in a row
const TC = 17; // address of (c_j[t], c_{j+1}[t]) or of last[t]
const RB = 18; // bytes of a row
const OB = 19; // bytes of an out row (cols · 8)
const NB = 20; // bytes of a row summed for the current column(s)
// v128 locals: the sums of rows r + q for the current pair, and the pair's values at t.
const ACC = 21;
const W = 25;
// f64 locals: the sums of rows r + q for the odd last column.
const S = 26;

const LOCALS: ValueType[] = [...Array<ValueType>(13).fill(I32), ...Array<ValueType>(5).fill(V128), ...Array<ValueType>(4).fill(F64)];

/** x[t] of row q (at X0 + q + TB) as a float64 on the stack. */
function loadX(c: Code, q: number, f32: boolean): void {
  c.get(X0 + q).get(TB).i32Add();
  if (f32) c.f32Load().f64PromoteF32();
  else c.f64Load();
}

/** NB = the summed prefix of column j (in bytes): width, or min(width, j + 2) when upper. */
function setPrefixBytes(c: Code, shift: number): void {
  c.get(J).i32(2).i32Add().get(WIDTH); // select(j + 2, width, upper && j + 2 < width)
  c.get(UPPER).get(J).i32(2).i32Add().get(WIDTH).i32LtU().i32And().select();
  c.i32(shift).i32Shl().set(NB);
}

/** Pushes the address of out[r + q][j]. */
function outAddress(c: Code, q: number): Code {
  c.get(O).get(J).i32(3).i32Shl().i32Add();
  if (q > 0) c.get(OB).i32(q).i32Mul().i32Add();
  return c;
}

/** The sums of `rows` consecutive rows (1 or 4) from X0 with every column, into out row O. */
function rowGroup(c: Code, rows: number, f32: boolean): void {
  const shift = f32 ? 2 : 3;
  for (let q = 1; q < rows; q++) c.get(X0 + q - 1).get(RB).i32Add().set(X0 + q);
  // Column pairs.
  c.i32(0).set(J);
  c.get(PAIRS).set(CP);
  c.block().loop();
  c.get(J).i32(2).i32Add().get(COLS).i32GtU().brIf(1);
  setPrefixBytes(c, shift);
  for (let q = 0; q < rows; q++) c.f64Const(0).f64x2Splat().set(ACC + q);
  c.i32(0).set(TB);
  c.get(CP).set(TC);
  c.block().loop();
  c.get(TB).get(NB).i32GeU().brIf(1);
  c.get(TC).v128Load().set(W);
  for (let q = 0; q < rows; q++) {
    // acc + x[t]·(c_j[t], c_{j+1}[t]), as `s += x * y` in JavaScript
    c.get(ACC + q);
    loadX(c, q, f32);
    c.f64x2Splat().get(W).f64x2Mul().f64x2Add().set(ACC + q);
  }
  c.get(TB).i32(1 << shift).i32Add().set(TB);
  c.get(TC).i32(16).i32Add().set(TC);
  c.br(0).end().end();
  for (let q = 0; q < rows; q++) outAddress(c, q).get(ACC + q).v128Store();
  c.get(J).i32(2).i32Add().set(J);
  c.get(CP).get(WIDTH).i32(4).i32Shl().i32Add().set(CP); // a pair holds 2·width float64
  c.br(0).end().end();
  // The odd last column (J = cols − 1).
  c.get(COLS).i32(1).i32And().if();
  setPrefixBytes(c, shift);
  for (let q = 0; q < rows; q++) c.f64Const(0).set(S + q);
  c.i32(0).set(TB);
  c.get(LAST).set(TC);
  c.block().loop();
  c.get(TB).get(NB).i32GeU().brIf(1);
  for (let q = 0; q < rows; q++) {
    c.get(S + q);
    loadX(c, q, f32);
    c.get(TC).f64Load().f64Mul().f64Add().set(S + q);
  }
  c.get(TB).i32(1 << shift).i32Add().set(TB);
  c.get(TC).i32(8).i32Add().set(TC);
  c.br(0).end().end();
  for (let q = 0; q < rows; q++) outAddress(c, q).get(S + q).f64Store();
  c.end();
}

function rowBlockFunction(name: string, f32: boolean): FunctionDef {
  const c = new Code();
  c.get(WIDTH).i32(f32 ? 2 : 3).i32Shl().set(RB);
  c.get(COLS).i32(3).i32Shl().set(OB);
  c.i32(0).set(R);
  // Four rows at a time, then one.
  for (const rows of [4, 1]) {
    c.block().loop();
    c.get(R).i32(rows).i32Add().get(N_ROWS).i32GtU().brIf(1);
    c.get(R).get(RB).i32Mul().get(ROWS).i32Add().set(X0);
    c.get(R).get(OB).i32Mul().get(OUT).i32Add().set(O);
    rowGroup(c, rows, f32);
    c.get(R).i32(rows).i32Add().set(R);
    c.br(0).end().end();
  }
  return { name, params: Array<ValueType>(8).fill(I32), locals: LOCALS, body: c };
}

/** The module's bytes (imports env.memory, a shared memory of at most `maxPages`). */
export function rowBlockModuleBytes(maxPages: number): Uint8Array<ArrayBuffer> {
  return encodeModule([rowBlockFunction(DOTS_F32, true), rowBlockFunction(DOTS_F64, false)], maxPages);
}
