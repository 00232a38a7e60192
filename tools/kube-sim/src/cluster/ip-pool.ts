// Hands out loopback addresses from one /16 of 127.0.0.0/8. The whole /8 answers
// on Linux's loopback, so every pod and Service can listen on its own address.
export class IpPool {
  private readonly free: number[] = [];
  private next = 1;
  private readonly used = new Set<string>();

  constructor(private readonly prefix: string) {} // e.g. "127.10"

  allocate(): string {
    const index = this.free.pop() ?? this.next++;
    if (index >= 65535) throw new Error(`no free address left in ${this.prefix}.0.0/16`);
    const ip = `${this.prefix}.${index >> 8}.${index & 255}`;
    this.used.add(ip);
    return ip;
  }

  release(ip: string): void {
    if (!this.used.delete(ip) || !ip.startsWith(`${this.prefix}.`)) return;
    const [, , high = 0, low = 0] = ip.split('.').map(Number);
    this.free.push((high << 8) | low);
  }

  inUse(ip: string): boolean {
    return this.used.has(ip);
  }
}
