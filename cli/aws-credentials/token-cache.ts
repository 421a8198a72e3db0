/**
 * The refresh-token cache: one private file (0600, in a 0700 folder) per hosted domain and client, written
 * atomically, ignored (and removed) when anyone else could read it.
 */
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FederationSettings } from "./settings";

/** `$XDG_CACHE_HOME/idc-oidc-bridge`, else `~/.cache/idc-oidc-bridge`. */
export function cacheDirectory(env: NodeJS.ProcessEnv): string {
  const base =
    env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)
      ? env.XDG_CACHE_HOME
      : path.join(env.HOME || os.homedir(), ".cache");
  return path.join(base, "idc-oidc-bridge");
}

/** One file per hosted domain and client, so environments never share a sign-in. */
export function cacheFile(env: NodeJS.ProcessEnv, s: FederationSettings): string {
  const key = createHash("sha256").update(`${s.domainUrl}\n${s.clientId}`).digest("hex").slice(0, 16);
  return path.join(cacheDirectory(env), `refresh-token-${key}.json`);
}

export function readRefreshToken(file: string, log: (m: string) => void): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return undefined;
  }
  const posix = process.platform !== "win32" && process.getuid !== undefined;
  if (posix && ((stat.mode & 0o077) !== 0 || stat.uid !== process.getuid!())) {
    log(`ignoring ${file}: it must belong to you and be readable by you only (0600)`);
    fs.rmSync(file, { force: true });
    return undefined;
  }
  try {
    const token = (JSON.parse(fs.readFileSync(file, "utf8")) as { refresh_token?: unknown }).refresh_token;
    return typeof token === "string" && token !== "" ? token : undefined;
  } catch {
    return undefined;
  }
}

export function writeRefreshToken(file: string, token: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.chmodSync(path.dirname(file), 0o700);
  // Written to a private temp file and renamed: the token is never briefly readable by others.
  const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ refresh_token: token }), { mode: 0o600, flag: "wx" });
  fs.renameSync(tmp, file);
}
