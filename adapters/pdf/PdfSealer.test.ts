// PdfSealer with the demo seal CA: the Sealer contract over a rendered lease contract.
import { suite } from "../../contracts-tests/Sealer.contract.js"
import { LEASE } from "../../contracts-tests/DocumentFixtures.js"
import { renderLayout } from "./PdfLayout.js"
import * as PdfSealer from "./PdfSealer.js"

suite("pdf + demo CA", PdfSealer.layerDemo, () => renderLayout(LEASE, "https://anju.example.gov.cn"))
