// The reference tokenizer: wink-nlp over each whole (cleaned) document, then the per-token rules
// of wink-stream.ts. It is the definition the fast tokenizer (tokenizer.ts, wink once per distinct
// space unit) is tested against; nothing in the pipeline calls it.

import { cleanText } from './clean.ts';
import { IntBuffer } from './int-buffer.ts';
import { type DocText, resolveTokenizerOptions, type TokenizedChunk, type TokenizerOptions } from './tokenizer.ts';
import { ChunkVocabulary } from './vocabulary.ts';
import { emitWinkTokens, type TokenSink } from './wink-stream.ts';
import { winkTokens } from './wink.ts';

/** tokenizeChunk's result, computed with wink per document (slow; the oracle in tests). */
export function tokenizeChunkReference(docs: ArrayLike<DocText>, opts: TokenizerOptions = {}): TokenizedChunk {
  const o = resolveTokenizerOptions(opts);
  const vocab = new ChunkVocabulary(o.stopWords);
  const tokens = new IntBuffer();
  const scratch = new IntBuffer();
  const offsets: number[] = [0];
  const appendText = (raw: string, out: IntBuffer, start: number): void => {
    if (typeof raw !== 'string' || raw.length === 0) return;
    const text = cleanText(raw, o.maxChars);
    if (!text) return;
    const tok = winkTokens(text);
    const sink: TokenSink = {
      push(sid) {
        out.push(sid);
        vocab.surfaceCounts[sid]++; // a repeated title was tokenized once, so it counts once
      },
      boundary: () => out.boundary(start),
    };
    emitWinkTokens(tok, 0, tok.normals.length, vocab, sink);
  };
  for (let d = 0; d < docs.length; d++) {
    const doc = docs[d]!;
    const start = tokens.length;
    if (o.titleRepeat > 0 && doc.title) {
      scratch.length = 0;
      appendText(doc.title, scratch, 0);
      scratch.trim(0);
      for (let r = 0; r < o.titleRepeat && scratch.length > 0; r++) {
        for (let k = 0; k < scratch.length; k++) tokens.push(scratch.data[k]!);
        tokens.push(-1); // title/abstract border (and between title copies)
      }
    }
    appendText(doc.text, tokens, start);
    tokens.trim(start);
    offsets.push(tokens.length);
  }
  return vocab.toChunk(tokens, offsets);
}
