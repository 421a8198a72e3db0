/** In-memory Log and MetricsSink for unit tests. */
import type { Log, LogAttributes, MetricsSink } from "../telemetry";

export interface LogEntry {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
  readonly attributes?: LogAttributes;
}

export class RecordingLog implements Log {
  readonly entries: LogEntry[] = [];
  debug(message: string, attributes?: LogAttributes): void {
    this.entries.push({ level: "debug", message, attributes });
  }
  info(message: string, attributes?: LogAttributes): void {
    this.entries.push({ level: "info", message, attributes });
  }
  warn(message: string, attributes?: LogAttributes): void {
    this.entries.push({ level: "warn", message, attributes });
  }
  error(message: string, attributes?: LogAttributes): void {
    this.entries.push({ level: "error", message, attributes });
  }
  /** Everything logged, serialised (to check what never appears in logs). */
  text(): string {
    return JSON.stringify(this.entries);
  }
}

export class RecordingMetrics<MetricName extends string = string> implements MetricsSink<MetricName> {
  readonly recorded: Array<{ name: MetricName; value: number }> = [];
  /** Metrics recorded but not yet published. */
  private unpublished = 0;
  publishCount = 0;
  add(name: MetricName, value: number): void {
    this.recorded.push({ name, value });
    this.unpublished += 1;
  }
  publish(): void {
    this.publishCount += 1;
    this.unpublished = 0;
  }
  get pending(): number {
    return this.unpublished;
  }
  /** Sum of the values recorded for `name`. */
  total(name: MetricName): number {
    return this.recorded
      .filter((metric) => metric.name === name)
      .reduce((sum, metric) => sum + metric.value, 0);
  }
  count(name: MetricName): number {
    return this.recorded.filter((metric) => metric.name === name).length;
  }
}
