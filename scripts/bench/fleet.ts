/**
 * A fleet of Lambda containers for the bench's storms: many copies of the BUILT bundle, each with its own
 * module instance (its own SDK client, retry state and pacing), like the separate containers Lambda starts
 * for concurrent sign-ins. Each container handles one invocation at a time; an invocation goes to an idle
 * container. The containers are started (cold starts) before the storm, spread over a few child processes
 * so the fleet uses more than one core, and warmed up one by one (warmUp); cold start itself is measured
 * separately (`cold require`). Modelling 200 cold containers in parallel would need 200 CPUs.
 * Everything the bundles log goes to /dev/null.
 */
import { fork, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const HOST = `
"use strict";
const { readFileSync } = require("node:fs");
const { dirname } = require("node:path");
const { performance } = require("node:perf_hooks");
const vm = require("node:vm");
const path = process.env.FLEET_BUNDLE_PATH;
// Compiled once, evaluated once per container. Each container gets its own clock, starting when it is
// created, as a container's process does: the bundle reads performance.now() at load as its cold-start time.
const bundle = new vm.Script(
  "(function (exports, require, module, __filename, __dirname, performance) {" + readFileSync(path, "utf8") + "\\n})",
  // The bundle imports some Node built-ins with import() (node:http, node:async_hooks).
  { filename: path, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER },
).runInThisContext();
function startContainer() {
  const origin = performance.now();
  const clock = new Proxy(performance, {
    get: (target, key) =>
      key === "now" ? () => target.now() - origin : typeof target[key] === "function" ? target[key].bind(target) : target[key],
  });
  const module = { exports: {} };
  bundle.call(module.exports, module.exports, require, module, path, dirname(path), clock);
  return module.exports.handler;
}
const idle = [];
function contextFor(id, remainingMs, started) {
  return {
    awsRequestId: id,
    functionName: "pre-token-generation",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:pre-token-generation",
    memoryLimitInMB: "256",
    getRemainingTimeInMillis: () => Math.max(0, Math.round(remainingMs - (performance.now() - started))),
  };
}
process.on("message", async (message) => {
  if (message.type === "start") {
    for (let i = 0; i < message.containers; i++) idle.push(startContainer());
    process.send({ type: "started" });
    return;
  }
  if (message.type === "warm") {
    // One invocation per container, one container at a time: a container's first invocation compiles the
    // SDK's request path, which real containers do in parallel on their own CPUs.
    const failures = [];
    for (const [index, handler] of idle.entries()) {
      if (index > 0) await new Promise((resolve) => setTimeout(resolve, message.intervalMs));
      try {
        await handler(message.events[index % message.events.length], contextFor("warm-" + index, 5000, performance.now()));
      } catch (error) {
        failures.push(error.name + ": " + error.message + (error.cause ? " (cause: " + error.cause.name + ": " + error.cause.message + ")" : ""));
      }
    }
    process.send({ type: "warmed", failures });
    return;
  }
  if (message.type !== "invoke") return;
  const handler = idle.pop();
  const started = performance.now();
  let reply;
  try {
    const result = await handler(message.event, contextFor(message.id, message.remainingMs, started));
    reply = { type: "result", id: message.id, ok: true, result, elapsedMs: performance.now() - started };
  } catch (error) {
    reply = { type: "result", id: message.id, ok: false, error: { name: error.name, message: error.message }, elapsedMs: performance.now() - started };
  }
  idle.push(handler);
  process.send(reply);
});
`;

export interface FleetResult {
  readonly ok: boolean;
  readonly result?: Record<string, unknown>;
  readonly error?: { name: string; message: string };
  readonly elapsedMs: number;
}

interface Host {
  readonly child: ChildProcess;
  idle: number;
}

export class LambdaFleet {
  private readonly pending = new Map<string, (result: FleetResult) => void>();
  private readonly queue: Array<() => void> = [];
  private sequence = 0;

  private constructor(private readonly hosts: Host[]) {
    for (const host of hosts) {
      host.child.on("message", (message: FleetResult & { type: string; id: string }) => {
        if (message.type !== "result") return;
        host.idle += 1;
        this.pending.get(message.id)?.(message);
        this.pending.delete(message.id);
        this.queue.shift()?.();
      });
    }
  }

  /** Starts `containers` containers of `bundlePath` with `env`, over `processes` child processes. */
  static async start(options: {
    bundlePath: string;
    env: Record<string, string>;
    containers: number;
    processes?: number;
    scratchDir: string;
  }): Promise<LambdaFleet> {
    const processes = Math.max(1, Math.min(options.processes ?? os.cpus().length, options.containers));
    const hostFile = path.join(options.scratchDir, "fleet-host.cjs");
    writeFileSync(hostFile, HOST);
    const hosts = await Promise.all(
      Array.from({ length: processes }, async (_, index) => {
        const containers =
          Math.floor(options.containers / processes) + (index < options.containers % processes ? 1 : 0);
        const child = fork(hostFile, [], {
          env: { ...options.env, FLEET_BUNDLE_PATH: options.bundlePath },
          stdio: ["ignore", "ignore", "ignore", "ipc"],
        });
        await new Promise<void>((resolve, reject) => {
          child.once("exit", (code) => reject(new Error(`fleet host exited (code ${code}) while starting`)));
          child.on("message", (message: { type: string }) => {
            if (message.type === "started") resolve();
          });
          child.send({ type: "start", containers });
        });
        return { child, idle: containers };
      }),
    );
    return new LambdaFleet(hosts);
  }

  /**
   * Invokes every container once with `events` (round robin), one container at a time per process and at
   * most `perSecond` in all, so the storm that follows meets warm containers (returns the failures).
   */
  async warmUp(events: unknown[], perSecond: number): Promise<string[]> {
    const intervalMs = (1000 * this.hosts.length) / perSecond;
    const failures = await Promise.all(
      this.hosts.map(
        (host) =>
          new Promise<string[]>((resolve) => {
            const onMessage = (message: { type: string; failures: string[] }): void => {
              if (message.type !== "warmed") return;
              host.child.off("message", onMessage);
              resolve(message.failures);
            };
            host.child.on("message", onMessage);
            host.child.send({ type: "warm", events, intervalMs });
          }),
      ),
    );
    return failures.flat();
  }

  /** Invokes an idle container (waiting for one if all are busy). */
  async invoke(event: unknown, remainingMs = 5000): Promise<FleetResult> {
    let host = this.hosts.find((candidate) => candidate.idle > 0);
    while (host === undefined) {
      await new Promise<void>((resolve) => this.queue.push(resolve));
      host = this.hosts.find((candidate) => candidate.idle > 0);
    }
    host.idle -= 1;
    const id = `invocation-${(this.sequence += 1)}`;
    const chosen = host;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      chosen.child.send({ type: "invoke", id, event, remainingMs });
    });
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.hosts.map(
        (host) =>
          new Promise<void>((resolve) => {
            if (host.child.exitCode !== null) return resolve();
            host.child.once("exit", () => resolve());
            host.child.kill("SIGTERM");
          }),
      ),
    );
  }
}
