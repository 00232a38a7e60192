// Open log follows and exec sessions, so a fault can cut them like a dropped connection.
export type StreamKind = 'log' | 'exec';

interface OpenStream {
  kind: StreamKind;
  namespace: string;
  name: string;
  cut: () => void;
}

export class StreamRegistry {
  private readonly open = new Set<OpenStream>();

  add(kind: StreamKind, namespace: string, name: string, cut: () => void): () => void {
    const stream = { kind, namespace, name, cut };
    this.open.add(stream);
    return () => this.open.delete(stream);
  }

  cut(kind: StreamKind, namespace?: string, name?: string): number {
    let count = 0;
    for (const stream of [...this.open]) {
      if (stream.kind !== kind || (namespace && stream.namespace !== namespace) || (name && stream.name !== name))
        continue;
      this.open.delete(stream);
      stream.cut();
      count += 1;
    }
    return count;
  }

  count(kind: StreamKind, namespace?: string): number {
    let count = 0;
    for (const stream of this.open)
      if (stream.kind === kind && (!namespace || stream.namespace === namespace)) count += 1;
    return count;
  }

  cutAll(): void {
    for (const stream of [...this.open]) stream.cut();
    this.open.clear();
  }
}
