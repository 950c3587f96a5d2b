// PdfDocumentRenderer: the DocumentRenderer contract (text and font checks are in PdfDocuments.test.ts).
import { suite } from "../../contracts-tests/DocumentRenderer.contract.js"
import * as PdfDocumentRenderer from "./PdfDocumentRenderer.js"

suite("pdf-lib", PdfDocumentRenderer.layer({ publicBaseUrl: "https://anju.example.gov.cn" }))
