import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { toTimestamp } from "../../../runtime/predict/sql-values.js";

describe("toTimestamp", () => {
  it("reads what DuckDB's CAST(v AS TIMESTAMP) reads, a JSON-written Date (trailing Z) included, to the same value", async () => {
    const connection = await (await DuckDBInstance.create()).connect();
    for (const v of ["2001-02-26T06:57:00.000Z", "2001-02-26T06:57:00Z", "2001-02-26 06:57:00", "2001-2-6 6:57", "2001-02-26T06:57:00.250Z", "2001-02-26"]) {
      const duck = (await connection.runAndReadAll(`SELECT CAST('${v}' AS TIMESTAMP)::VARCHAR`)).getRows()[0][0];
      expect(toTimestamp(v), v).toBe(duck);
    }
    expect(() => toTimestamp("2001-02-26T06:57:00ZZ")).toThrow(/could not convert/);
    connection.closeSync();
  });
});
