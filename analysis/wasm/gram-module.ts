// The WebAssembly twin of gramRowsInto's panel loop (linalg.ts): for one panel of n rows of A,
// stored as interleaved column pairs p[(j/2)·2R + 2r + {0,1}] = (a[r][j], a[r][j+1]) (R rows per
// panel slot, kp columns, kp a multiple of 4, zero columns beyond k), add into acc (kp × kp,
// row-major) the upper block triangle: for i = 0, 4, … and j = i, i + 2, …,
// acc[i + q][j, j + 1] += Σ_{r < n} a[r][i + q]·(a[r][j], a[r][j + 1]), q < 4.
//
// Bit-identical to the JavaScript loop: each of the eight sums of a 4 × 2 block runs over r in
// order in float64 and is then added to acc once, as there; the lanes only pair up columns j and
// j + 1 (WebAssembly has no implicit fused multiply-add).

import { Code, encodeModule, type FunctionDef, I32, V128, type ValueType } from './encoder.ts';

/** Export name: (panel, n, slotRows, kp, acc), pointers in bytes. */
export const GRAM_PANEL = 'gramPanel';

// Parameters.
const PANEL = 0;
const N = 1;
const SLOT = 2; // R, rows per panel slot
const KP = 3;
const ACC_PTR = 4;
// i32 locals.
const I = 5;
const J = 6;
const XQ = 7; // XQ + q: address of a[0][i + q] in the panel (stride 16 bytes per row)
const Y = 11; // address of the pair (a[0][j], a[0][j + 1])
const RB = 12; // byte offset of row r in a pair column (r · 16)
const NB = 13; // n · 16
const PAIR_BYTES = 14; // bytes of one interleaved column pair (R · 16)
const ROW_BYTES = 15; // bytes of an acc row (kp · 8)
const AO = 16; // address of acc[i][j]
// v128 locals.
const S = 17; // S + q: the sums of row i + q with columns j, j + 1
const W = 21;

const LOCALS: ValueType[] = [...Array<ValueType>(12).fill(I32), ...Array<ValueType>(5).fill(V128)];

function gramPanelFunction(): FunctionDef {
  const c = new Code();
  c.get(SLOT).i32(4).i32Shl().set(PAIR_BYTES);
  c.get(KP).i32(3).i32Shl().set(ROW_BYTES);
  c.get(N).i32(4).i32Shl().set(NB);
  c.i32(0).set(I);
  c.block().loop();
  c.get(I).get(KP).i32GeU().brIf(1);
  // Column i + q is lane (i + q) % 2 of pair (i + q) / 2: i is a multiple of 4.
  for (let q = 0; q < 4; q++) {
    c.get(I).i32(1).i32ShrU().i32(q >> 1).i32Add().get(PAIR_BYTES).i32Mul(); // pair (i + q) / 2 = i/2 + q/2
    c.get(PANEL).i32Add().i32(8 * (q & 1)).i32Add().set(XQ + q);
  }
  c.get(I).set(J);
  c.block().loop();
  c.get(J).get(KP).i32GeU().brIf(1);
  c.get(J).i32(1).i32ShrU().get(PAIR_BYTES).i32Mul().get(PANEL).i32Add().set(Y);
  for (let q = 0; q < 4; q++) c.f64Const(0).f64x2Splat().set(S + q);
  c.i32(0).set(RB);
  c.block().loop();
  c.get(RB).get(NB).i32GeU().brIf(1);
  c.get(Y).get(RB).i32Add().v128Load().set(W);
  for (let q = 0; q < 4; q++) {
    // s += x·y, as in JavaScript
    c.get(S + q).get(XQ + q).get(RB).i32Add().f64Load().f64x2Splat().get(W).f64x2Mul().f64x2Add().set(S + q);
  }
  c.get(RB).i32(16).i32Add().set(RB);
  c.br(0).end().end();
  // acc[i + q][j, j + 1] += the sums
  c.get(I).get(ROW_BYTES).i32Mul().get(J).i32(3).i32Shl().i32Add().get(ACC_PTR).i32Add().set(AO);
  for (let q = 0; q < 4; q++) {
    c.get(AO);
    if (q > 0) c.get(ROW_BYTES).i32(q).i32Mul().i32Add();
    c.get(AO);
    if (q > 0) c.get(ROW_BYTES).i32(q).i32Mul().i32Add();
    c.v128Load().get(S + q).f64x2Add().v128Store();
  }
  c.get(J).i32(2).i32Add().set(J);
  c.br(0).end().end();
  c.get(I).i32(4).i32Add().set(I);
  c.br(0).end().end();
  return { name: GRAM_PANEL, params: Array<ValueType>(5).fill(I32), locals: LOCALS, body: c };
}

/** The module's bytes (imports env.memory, a shared memory of at most `maxPages`). */
export function gramModuleBytes(maxPages: number): Uint8Array<ArrayBuffer> {
  return encodeModule([gramPanelFunction()], maxPages);
}
