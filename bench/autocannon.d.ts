/**
 * The part of autocannon's programmatic API (9.x, untyped package) the read-path benchmark uses:
 * one run with rotating request paths, resolved with its histograms and error counts.
 */
declare module "autocannon" {
  interface Histogram {
    readonly average: number
    readonly p50: number
    readonly p99: number
  }
  interface RawRequest {
    method?: string
    path: string
    headers?: Record<string, string>
  }
  interface Options {
    readonly url: string
    readonly connections?: number
    readonly duration?: number
    /** Seconds before a request counts as a timeout. */
    readonly timeout?: number
    readonly headers?: Record<string, string>
    readonly requests?: ReadonlyArray<{
      readonly method?: string
      readonly setupRequest?: (request: RawRequest) => RawRequest
    }>
  }
  interface Result {
    /** `total`: completed requests. */
    readonly requests: Histogram & { readonly total: number }
    readonly latency: Histogram
    readonly errors: number
    readonly timeouts: number
    readonly non2xx: number
  }
  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
