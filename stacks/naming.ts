import { createHash } from "node:crypto";

/**
 * A construct id derived from a config name, so Terraform addresses follow names, not list positions
 * (reordering or adding entries never replaces unrelated resources). Names that need sanitizing get a
 * short hash so that `a b` and `a-b` never collide. Parts are joined with `~`, which no sanitized part
 * contains, so (`a--b`, `c`) and (`a`, `b--c`) stay apart too.
 */
export function idFromName(...parts: string[]): string {
  return parts
    .map((name) => {
      const safe = name.replace(/[^A-Za-z0-9_-]/g, "-");
      return safe === name ? name : `${safe}-${createHash("sha256").update(name).digest("hex").slice(0, 6)}`;
    })
    .join("~");
}
