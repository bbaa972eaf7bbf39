// The server identities of the marks the viewer holds: which server id and
// version each ref stands for, and back from server id to ref, since a mark
// made here keeps its client ref after it is saved.

/** Identity is a mark's id on the server and the last version of it seen. */
export interface Identity {
  readonly id: number;
  readonly version: number;
}

export class Identities {
  private readonly known = new Map<string, Identity>();
  private readonly refs = new Map<number, string>();

  /** know records that ref is server mark v.id at v.version; a ref that changes id lets the old one go. */
  know(ref: string, v: Identity): void {
    const old = this.known.get(ref);
    if (old !== undefined && old.id !== v.id && this.refs.get(old.id) === ref) this.refs.delete(old.id);
    this.known.set(ref, v);
    this.refs.set(v.id, ref);
  }

  /** unknow forgets ref, and its server id unless another ref holds it now. */
  unknow(ref: string): void {
    const old = this.known.get(ref);
    if (old !== undefined && this.refs.get(old.id) === ref) this.refs.delete(old.id);
    this.known.delete(ref);
  }

  get(ref: string): Identity | undefined {
    return this.known.get(ref);
  }

  has(ref: string): boolean {
    return this.known.has(ref);
  }

  /** refOf answers the ref under which server mark id is known, if it is. */
  refOf(id: number): string | undefined {
    return this.refs.get(id);
  }

  clear(): void {
    this.known.clear();
    this.refs.clear();
  }
}
