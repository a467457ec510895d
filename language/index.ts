/** The language's public face: parse, check, complete, format, diagnostics. */
export { parse, statementKeywords, stepKeywords, type ParseResult } from "./parse.js";
export { check, sourcesOf, type CheckedProgram, type CheckResult, type SourceSchema, type DatasetInfo, type ModelInfo } from "./checker.js";
export { complete, type CompleteOptions, type CompletionItem, type CompletionKind, type Completions } from "./complete.js";
export { format, type FormatResult } from "./format.js";
export { normalizeQuantity, quantityText } from "./quantity.js";
export { formatDiagnostic, LineIndex, type Diagnostic, type Span } from "./diagnostic.js";
export * from "./catalog.js";
export type * from "./ast.js";
export type { Column, ColumnType, Schema } from "./schema.js";
export { columnTypeOf } from "./schema.js";
