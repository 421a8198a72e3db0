import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import type { Log, LogAttributes, MetricsSink } from "./telemetry";

/** Powertools Logger behind the handler's Log interface. */
export function powertoolsLog(logger: Logger): Log {
  const write =
    (level: "debug" | "info" | "warn" | "error") =>
    (message: string, attributes?: LogAttributes): void => {
      if (attributes === undefined) logger[level](message);
      else logger[level](message, attributes);
    };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/** Powertools Metrics (CloudWatch EMF on stdout) behind the MetricsSink interface; `units` per metric name. */
export function powertoolsMetrics<Name extends string>(
  metrics: Metrics,
  units: Readonly<Record<Name, "Count" | "Milliseconds">>,
): MetricsSink<Name> {
  return {
    add: (name, value) =>
      metrics.addMetric(
        name,
        units[name] === "Milliseconds" ? MetricUnit.Milliseconds : MetricUnit.Count,
        value,
      ),
    publish: () => {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}

export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

export function createMetrics(namespace: string, serviceName: string): Metrics {
  return new Metrics({ namespace, serviceName });
}

/**
 * Tracer that is active only where X-Ray is (in Lambda, not under SAM local, unless
 * POWERTOOLS_TRACE_ENABLED=false); elsewhere every call is a no-op. HTTP(S) is not patched
 * globally: only the AWS clients passed to captureAWSv3Client are traced.
 */
export function createTracer(serviceName: string): Tracer {
  return new Tracer({ serviceName, captureHTTPsRequests: false });
}
