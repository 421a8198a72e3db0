import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { MetricName } from "./contract";

/** The metrics a run records (Powertools Metrics / EMF in production); every one is a Count. */
export interface RunMetrics {
  add(name: MetricName, value: number): void;
  /** Flushes what was recorded during the invocation. */
  publish(): void;
}

export function powertoolsRunMetrics(metrics: Metrics): RunMetrics {
  return {
    add: (name, value) => metrics.addMetric(name, MetricUnit.Count, value),
    publish: () => {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}
