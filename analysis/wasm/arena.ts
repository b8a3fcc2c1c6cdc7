// One shared WebAssembly memory handed out as typed arrays: the home of every array a
// WebAssembly kernel reads or writes. A kernel can only address its own linear memory, so the
// operands are allocated here from the start (instead of in SharedArrayBuffers that would have
// to be copied in): views of memory.buffer travel to worker threads like any shared array, and
// a thread runs a kernel on them after instantiating the kernel module with this same memory
// (posted along with the job). Allocation is a bump pointer; nothing is freed until the whole
// arena is dropped, so callers allocate each role once (see SharedScratch).

const PAGE = 65536;
/** 4 GiB, the most a 32-bit memory can address (only reserved address space until used). */
export const ARENA_MAX_PAGES = 65536;
const ALIGN = 16;

export class WasmArena {
  readonly memory: WebAssembly.Memory;
  private used = 0;

  constructor() {
    this.memory = new WebAssembly.Memory({ initial: 0, maximum: ARENA_MAX_PAGES, shared: true });
  }

  /** Bytes handed out so far. */
  get usedBytes(): number {
    return this.used;
  }

  float64(length: number): Float64Array {
    const at = this.alloc(length * 8); // first: it may grow the memory, which replaces memory.buffer
    return new Float64Array(this.memory.buffer, at, length);
  }

  float32(length: number): Float32Array {
    const at = this.alloc(length * 4); // first: it may grow the memory, which replaces memory.buffer
    return new Float32Array(this.memory.buffer, at, length);
  }

  int32(length: number): Int32Array {
    const at = this.alloc(length * 4); // first: it may grow the memory, which replaces memory.buffer
    return new Int32Array(this.memory.buffer, at, length);
  }

  /** Byte offset of `bytes` fresh, zeroed bytes (16-byte aligned), growing the memory as needed. */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`WasmArena: cannot allocate ${bytes} bytes`);
    const at = this.used;
    const end = at + Math.ceil(bytes / ALIGN) * ALIGN;
    if (end > ARENA_MAX_PAGES * PAGE) {
      throw new RangeError(`WasmArena: ${end} bytes exceed the 4 GiB a WebAssembly memory can address`);
    }
    const pages = Math.ceil(end / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.memory.grow(pages); // new pages are zero; a shared memory's old views stay valid
    this.used = end;
    return at;
  }
}
