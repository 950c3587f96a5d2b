/**
 * The agency simulator's PUBLIC demo SM2 key pair (derived from a published string, so anyone can sign
 * with it): used only under `--demo`, by the simulator to sign and by a demo host to check its answers.
 * A host without `--demo` refuses to trust this key (HostConfig).
 */
import { Redacted } from "effect"

/** SHA-256("anju/agency-sim/public-demo-key/v1"): published, not a secret. */
export const DEMO_AGENCY_PRIVATE_KEY = Redacted.make(
  "6798a32d564ffd3272c34762e405813fa1246e36ce714818e5de48f6ca872028",
)

export const DEMO_AGENCY_PUBLIC_KEY =
  "042524de9bbe7e1287b0e6bad5001e44de25b089c5426e95be17e89c5f856cb9dd87c63141bef09eeb32ae9baaf8e2740f476df6fd630ac4df1231699d40d1d6f0"
