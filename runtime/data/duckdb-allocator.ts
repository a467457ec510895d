import { nativeAllocator } from "../models/native-engine.js";

/**
 * When DuckDB's allocator (jemalloc, on Linux) gives freed pages back to the system. Two needs pull
 * apart. While only DuckDB works (reading, de-duplicating, a `COPY` to Parquet), giving pages back at
 * once costs system time — its buffers are returned and faulted in again chunk after chunk, ≈ 1 s
 * of CPU on the 5M-row prepare pipeline (bench/RESULTS.md) — and keeping them a while costs no more
 * memory than DuckDB alone takes. In a run that trains, every page DuckDB keeps adds to the peak:
 * the 200k training runs' peak grew by 35–50 MB with DuckDB's own 1 s decay during their read and
 * split, even purged before the training read. So Lathe starts DuckDB returning pages at once
 * (`duckdb-module.ts` sets the decay 0 before DuckDB loads: what stays when there is no run-time
 * control), relaxes it to DuckDB's own decay only for a one-shot run whose every step is DuckDB's
 * (`api/session.ts`, by the ops' `duckdbAlone`), and turns it back to 0 — purging what DuckDB
 * holds — before any read of rows into JavaScript, for the rest of the process.
 */

/** DuckDB's own decay (its jemalloc's built-in `dirty_decay_ms` and `muzzy_decay_ms`, 1 s each), as a plain DuckDB script runs with. */
const duckdbDecayMs = 1000;

/** Lathe's setting at start: freed pages go back at once. */
const startingConf = "dirty_decay_ms:0,muzzy_decay_ms:0";

/**
 * Where Lathe notes the DUCKDB_JE_MALLOC_CONF it set, so that a process started from a Lathe process
 * (a kernel's run, a bench's) tells the setting it inherited from one of the user's own.
 */
const startingConfNote = "LATHE_DUCKDB_JE_MALLOC_CONF";

/** A DUCKDB_JE_MALLOC_CONF of the user's own: Lathe then never changes the allocator. Read before Lathe sets its own. */
const usersOwn = process.env.DUCKDB_JE_MALLOC_CONF !== undefined && process.env.DUCKDB_JE_MALLOC_CONF !== process.env[startingConfNote];

/** `load`: the setting read when DuckDB started (decay 0 unless the user's); `relaxed`: DuckDB's own decay; `prompt`: JavaScript has read rows, 0 for good. */
let phase: "load" | "relaxed" | "prompt" = "load";

/** Before DuckDB loads: the decay 0 it starts with, unless the user set the allocator's configuration. */
export function setStartingAllocator(): void {
  if (usersOwn) return;
  process.env.DUCKDB_JE_MALLOC_CONF = startingConf;
  process.env[startingConfNote] = startingConf;
}

/** For work that is DuckDB's alone, once a database is open (DuckDB's allocator started): DuckDB's own decay, when it can be set back later. */
export function relaxDuckdbAllocator(): void {
  if (usersOwn || phase !== "load") return;
  if (nativeAllocator()?.duckdbDecay(duckdbDecayMs)) phase = "relaxed";
}

/** Before JavaScript reads rows: DuckDB's free pages go back now and, from then on, as soon as freed. */
export function promptDuckdbAllocator(): void {
  const was = phase;
  phase = "prompt";
  if (was === "relaxed") nativeAllocator()?.duckdbDecay(0);
}

/** Which of the three the process is in (tests, the bench's traces). */
export function duckdbAllocatorPhase(): "load" | "relaxed" | "prompt" {
  return phase;
}
