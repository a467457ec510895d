// The build step's former name (DuckDB's client was its only bundle): it runs scripts/bundle-vendor.mjs,
// which bundles DuckDB's client, Vega and Vega-Lite with their code caches.
//
//   node scripts/bundle-duckdb.mjs
import "./bundle-vendor.mjs";
