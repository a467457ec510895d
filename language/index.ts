/** The language's public face: parse, check, format diagnostics. */
export { parse, type ParseResult } from "./parse.js";
export { check, sourcesOf, type CheckedProgram, type CheckResult, type SourceSchema, type DatasetInfo, type ModelInfo } from "./checker.js";
export { formatDiagnostic, LineIndex, type Diagnostic, type Span } from "./diagnostic.js";
export * from "./catalog.js";
export type * from "./ast.js";
export type { Column, ColumnType, Schema } from "./schema.js";
export { columnTypeOf } from "./schema.js";
