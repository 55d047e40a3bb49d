import type { StorageLike } from "../src/index.js";

/** localStorage's interface over a Map: Node 20 has no localStorage. */
export class MemoryStorage implements StorageLike {
  private readonly items = new Map<string, string>();

  get length(): number {
    return this.items.size;
  }

  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }

  removeItem(key: string): void {
    this.items.delete(key);
  }

  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }

  /** Every record stored, whatever tab's key it is under (each key holds a JSON list). */
  records(): unknown[] {
    return [...this.items.values()].flatMap((value) => JSON.parse(value) as unknown[]);
  }
}
