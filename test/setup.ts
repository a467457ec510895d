import fc from "fast-check";

// Property tests are reproducible by default: one fixed seed, overridable with FC_SEED to explore
// (`FC_SEED=$RANDOM npx vitest run`); a failure prints the seed and path that reproduce it.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261127) });

// The CLI takes its store from $LATHE_STORE when --store is not given: a developer's own setting
// must not point the tests' processes at another store (tests that want it set it themselves).
delete process.env.LATHE_STORE;
