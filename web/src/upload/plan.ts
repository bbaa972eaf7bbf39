// The arithmetic of a resumable upload, kept free of the network so it can
// be tested: which parts are still missing and how far along the file is.

export interface Part {
  /** n is the part number, from 1. */
  readonly n: number;
  readonly start: number;
  readonly end: number;
}

/** missingParts lists the parts of a size-byte file, in partSize pieces, that the server does not have whole. */
export function missingParts(size: number, partSize: number, received: readonly { number: number; size: number }[]): Part[] {
  const have = new Map(received.map((p) => [p.number, p.size]));
  const out: Part[] = [];
  for (let n = 1, start = 0; start < size; n++, start += partSize) {
    const end = Math.min(size, start + partSize);
    if (have.get(n) !== end - start) out.push({ n, start, end });
  }
  return out;
}

/** Progress adds up bytes already on the server and bytes of parts in flight. */
export class Progress {
  private readonly inFlight = new Map<number, number>();
  private done: number;

  constructor(
    readonly total: number,
    alreadyThere: number,
  ) {
    this.done = alreadyThere;
  }

  sending(n: number, sent: number): void {
    this.inFlight.set(n, sent);
  }

  finished(n: number, bytes: number): void {
    this.inFlight.delete(n);
    this.done += bytes;
  }

  failed(n: number): void {
    this.inFlight.delete(n);
  }

  get bytes(): number {
    let b = this.done;
    for (const v of this.inFlight.values()) b += v;
    return Math.min(b, this.total);
  }

  get percent(): number {
    return this.total === 0 ? 100 : Math.floor((100 * this.bytes) / this.total);
  }
}

/** uploadKey names a file across page loads, so an interrupted upload can be found and resumed. */
export function uploadKey(projectId: string, f: { name: string; size: number; lastModified: number }): string {
  return `patholabel-upload:${projectId}:${f.name}:${f.size}:${f.lastModified}`;
}
