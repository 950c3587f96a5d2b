import { suite } from "../../contracts-tests/PolicySource.contract.js"
import { layer, layerDirectory } from "./FsPolicySource.js"

suite("fs (shipped policy/)", layer, { broken: layerDirectory("/nonexistent/anju-policy") })
