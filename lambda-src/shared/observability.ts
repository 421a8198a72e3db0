import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import type { Context } from "aws-lambda";
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

export interface ColdStart<C> {
  readonly config: C;
  readonly logger: Logger;
  readonly tracer: Tracer;
  readonly metrics: Metrics;
  readonly log: Log;
}

/**
 * What every bridge Lambda does once per container: a logger (named before the configuration is known),
 * the configuration validated (a bad value is logged as critical and fails every invocation loudly,
 * naming the variable), then Tracer and Metrics under the configured names.
 */
export function coldStart<C extends { readonly metricsNamespace: string; readonly serviceName: string }>(
  options: {
    readonly loadConfig: (env: NodeJS.ProcessEnv) => C;
    readonly serviceNameVariable: string;
    readonly defaultServiceName: string;
  },
  env: NodeJS.ProcessEnv = process.env,
): ColdStart<C> {
  const logger = createLogger(env[options.serviceNameVariable] || options.defaultServiceName);
  let config: C;
  try {
    config = options.loadConfig(env);
  } catch (error) {
    logger.critical("Invalid configuration", error as Error);
    throw error;
  }
  return {
    config,
    logger,
    tracer: createTracer(config.serviceName),
    metrics: createMetrics(config.metricsNamespace, config.serviceName),
    log: powertoolsLog(logger),
  };
}

/** The exported Lambda handler: adds the invocation's context to every log line, then runs `handle`. */
export function lambdaHandler<E, R>(
  logger: Logger,
  handle: (event: E, context: Context) => Promise<R>,
): (event: E, context: Context) => Promise<R> {
  return async (event, context) => {
    if (context !== undefined && context !== null) logger.addContext(context);
    return handle(event, context);
  };
}
