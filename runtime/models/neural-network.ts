import { collectGarbage } from "../collect-garbage.js";
import { throwIfAborted, yieldToEventLoop } from "./abort.js";
import { booleanParam, choiceParam, numberParam, sizesParam } from "./params.js";
import { mlpScorer, type DenseLayer } from "./scoring/mlp.js";
import { standardizedRows, type Standardizer } from "./scoring/standardize.js";
import { SeededRandom } from "./seeded-random.js";
import { fitStandardizer, streamedMoments, targetScale } from "./standardizer.js";
import type { Activation, MlpConfig, MlpEngine } from "./mlp-engine.js";
import { nativeMlpEngine } from "./mlp-native.js";
import { nativeMlp } from "./native-engine.js";
import type { HistoryPoint, Learner, Matrix, ParamValue, SerializedModel, StreamedTrainInput, TrainedModel, TrainInput } from "./types.js";

interface MlpState {
  standardizer: Standardizer;
  activation: Activation;
  /** Hidden layers then the output layer (logits, or one standardised value for regression). */
  layers: DenseLayer[];
  target?: { mean: number; std: number };
  history: HistoryPoint[];
  /** "streamed" when trained on rows streamed from DuckDB. */
  method?: string;
}

const defaults: Record<string, ParamValue> = {
  layers: [64, 32],
  activation: "relu",
  dropout: 0,
  optimizer: "adam",
  learning_rate: 0.001,
  momentum: 0.9,
  l2: 0.0001,
  epochs: 200,
  batch_size: 200,
  early_stopping: true,
  patience: 10,
  tol: 0.0001,
};

function build(model: SerializedModel): TrainedModel {
  const state = model.state as MlpState;
  const { featureNames, classes } = model;
  const common = { kind: model.kind, featureNames, classes, history: state.history, ...(state.method ? { method: state.method } : {}), toJSON: () => model };
  const scorer = mlpScorer(model);
  if (model.task === "regression") return { ...common, task: "regression", predict: scorer.predict };
  return { ...common, task: "classification", predict: scorer.predict, predictProba: scorer.predictProba, predictWithProba: scorer.predictWithProba };
}

/** How an MLP fit reads its rows: its engine, one epoch's training (Σ batch loss × rows) and the validation loss. */
interface MlpFeed {
  engine(config: MlpConfig, blocks: Float32Array[]): Promise<MlpEngine>;
  epoch(engine: MlpEngine, rng: SeededRandom, chunk: number): Promise<number>;
  valLoss?: (engine: MlpEngine) => Promise<number>;
}

/** The mini-batch size: `batch_size`, at most the rows. */
function mlpBatchSize(params: Record<string, ParamValue>, n: number): number {
  return Math.max(1, Math.min(n, Math.floor(numberParam({ ...defaults, ...params }, "batch_size", 200))));
}

/** Trains the network on rows in memory or streamed (`feed`): weights, epochs, early stopping, the model. */
async function fitMlp(input: Pick<TrainInput, "task" | "classes" | "params" | "seed" | "signal" | "onProgress">, featureNames: string[], standardizer: Standardizer, target: { mean: number; std: number } | undefined, n: number, feed: MlpFeed, method?: string): Promise<TrainedModel> {
  const params = { ...defaults, ...input.params };
  const hidden = sizesParam(params, "layers", [64, 32]);
  const activation = choiceParam(params, "activation", ["relu", "tanh", "sigmoid"] as const, "relu");
  const dropout = numberParam(params, "dropout", 0);
  if (!(dropout >= 0 && dropout < 1)) throw new Error("option dropout must be in [0, 1)");
  const optimizerName = choiceParam(params, "optimizer", ["adam", "sgd"] as const, "adam");
  const learningRate = numberParam(params, "learning_rate", 0.001);
  const momentum = numberParam(params, "momentum", 0.9);
  const l2 = numberParam(params, "l2", 0.0001);
  const epochs = numberParam(params, "epochs", 200);
  const earlyStopping = booleanParam(params, "early_stopping", true);
  const patience = numberParam(params, "patience", 10);
  const tol = numberParam(params, "tol", 0.0001);
  const { task } = input;
  const batchSize = mlpBatchSize(params, n);
  const d = featureNames.length;
  const K = input.classes.length;
  if (task === "classification" && K < 2) throw new Error("neural_network needs at least two classes");
  const outputs = task === "regression" ? 1 : K;
  const rng = new SeededRandom(input.seed);

  const sizes = [d, ...hidden, outputs];
  const L = sizes.length - 1;
  // Parameter blocks [W0, b0, W1, b1, ...], Wl row-major sizes[l]×sizes[l+1].
  const blocks: Float32Array[] = [];
  for (let l = 0; l < L; l++) {
    const [fin, fout] = [sizes[l], sizes[l + 1]];
    // Glorot uniform, sklearn's choice (its factor 2 instead of 6 for sigmoid units).
    const limit = Math.sqrt((activation === "sigmoid" ? 2 : 6) / (fin + fout));
    blocks.push(Float32Array.from({ length: fin * fout }, () => (2 * rng.next() - 1) * limit));
    blocks.push(new Float32Array(fout));
  }
  const config: MlpConfig = { sizes, activation, regression: task === "regression", dropout, optimizer: optimizerName, learningRate, momentum, l2, batchSize };
  const engine = await feed.engine(config, blocks);
  // Losses are reported in the target's own units (MSE of the original target) for regression.
  const lossScale = target ? target.std * target.std : 1;

  const history: HistoryPoint[] = [];
  // Rows per call into the engine: between calls an abort (or a progress UI) gets a turn. About
  // 200 MFLOP a call (10–20 ms), whole batches only, at most 64 of them.
  const flopsPerRow = 6 * sizes.slice(1).reduce((sum, out, l) => sum + sizes[l] * out, 0);
  const chunk = batchSize * Math.max(1, Math.min(64, Math.floor(2e8 / (flopsPerRow * batchSize))));
  let best = Infinity;
  let bestBlocks: Float32Array[] | undefined;
  let stale = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      throwIfAborted(input.signal);
      const epochLoss = await feed.epoch(engine, rng, chunk);
      const loss = (epochLoss / n) * lossScale;
      const valLoss = feed.valLoss ? (await feed.valLoss(engine)) * lossScale : undefined;
      history.push(valLoss === undefined ? { step: epoch, loss } : { step: epoch, loss, valLoss });
      input.onProgress?.({ step: epoch, total: epochs, unit: "epoch", loss, valLoss });
      if (!Number.isFinite(loss)) throw new Error(`neural_network diverged at epoch ${epoch} (loss ${loss}); lower learning_rate`);
      if (earlyStopping) {
        // sklearn's rule: an epoch counts as stale unless it beats the best loss so far by tol,
        // and the best is the running minimum (so small gains do not reset the count forever).
        const monitored = valLoss ?? loss;
        stale = monitored > best - tol * lossScale ? stale + 1 : 0;
        if (monitored < best) {
          best = monitored;
          if (valLoss !== undefined) bestBlocks = engine.snapshot();
        }
        if (stale >= patience) break;
      }
      await yieldToEventLoop();
    }
  } finally {
    engine.dispose?.();
  }
  const final = bestBlocks ?? engine.snapshot();
  const layers: DenseLayer[] = Array.from({ length: L }, (_, l) => ({
    inputs: sizes[l],
    outputs: sizes[l + 1],
    weights: Array.from(final[2 * l]),
    bias: Array.from(final[2 * l + 1]),
  }));
  const state: MlpState = { standardizer, activation, layers, target, history, ...(method ? { method } : {}) };
  return { ...build({ kind: "neural_network", task, featureNames, classes: input.classes, params, state }), backend: engine.backend };
}

/** `neuralNetwork.train`: the standardised rows built, the columns emptied when the caller allows it, the fit. */
async function trainInMemory(input: TrainInput): Promise<TrainedModel> {
  const { x, y } = input;
  const n = x.n;
  const featureNames = x.names.length ? x.names : x.columns.map((_, j) => `x${j}`);
  const standardizer = fitStandardizer(x);
  const target = input.task === "regression" ? targetScale(y) : undefined;
  const rows = standardizedRows(x, featureNames, standardizer);
  // Targets as the loss needs them: class index, or the standardised value.
  const t = target ? Float32Array.from(y, (v) => (v - target.mean) / target.std) : y;
  const val = input.validation;
  const valRows = val ? standardizedRows(val.x, featureNames, standardizer) : undefined;
  const valT = val && target ? Float32Array.from(val.y, (v) => (v - target.mean) / target.std) : val?.y;
  // Training reads the rows alone: the float32 columns (as large as the rows) go before it starts.
  if (input.releaseColumns) {
    x.columns.length = 0;
    if (val) val.x.columns.length = 0;
    collectGarbage();
  }
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  return fitMlp(input, featureNames, standardizer, target, n, {
    engine: async (config, blocks) => {
      const native = nativeMlp();
      // TensorFlow.js is loaded only when it trains (no native engine): importing it costs ~0.5 s, which every other learner would pay.
      return native ? nativeMlpEngine(native, config, blocks, rows, t) : await (await import("./mlp-tfjs.js")).tfjsMlpEngine(config, blocks, rows, t);
    },
    async epoch(engine, rng, chunk) {
      rng.shuffle(order);
      let epochLoss = 0;
      for (let start = 0; start < n; start += chunk) {
        epochLoss += engine.train(order, start, Math.min(n, start + chunk), rng);
        await yieldToEventLoop();
        throwIfAborted(input.signal);
      }
      return epochLoss;
    },
    valLoss: valRows && valT ? async (engine) => engine.loss(valRows, valT) : undefined,
  });
}

/**
 * Multi-layer perceptron for classification (softmax cross-entropy) and regression (squared error
 * on the standardised target), trained with mini-batches (adam, or sgd with Nesterov momentum).
 * The steps run on the native SIMD engine (native/mlp.cc) when it was built at install, else on
 * TensorFlow.js (`mlp-tfjs.ts`); the engine is recorded as the model's backend. Weight init
 * (Glorot uniform), batch order and dropout masks all come from one PRNG seeded by the run seed,
 * so a seed reproduces the model bit for bit on the same backend.
 * Stops like sklearn: when the monitored loss (validation loss if `validation` is given, else
 * training loss) has not improved by `tol` for `patience` epochs; with validation the best
 * epoch's weights are kept. The penalty `l2` is sklearn's alpha: l2/(2·batch)·‖W‖².
 */
export const neuralNetwork: Learner = {
  name: "neural_network",
  tasks: ["classification", "regression"],
  defaults,
  async train(input: TrainInput): Promise<TrainedModel> {
    const model = await trainInMemory(input);
    // The standardised rows died with the fit, and the columns with it when they were the fit's own:
    // collected now, not at V8's leisure (a fit allocates little JavaScript), so the next step (scoring
    // the test part) does not allocate on top of 27 MB of dead arrays at 140k × 20.
    if (input.releaseColumns) collectGarbage();
    return model;
  },
  /**
   * The same network on rows streamed from DuckDB (native engine only; undefined without it, to
   * train in memory). Each epoch reads the training rows in ranges of a bounded number of whole
   * batches, the ranges in a seeded shuffled order and the rows of each range shuffled by the same
   * generator, so a seed gives the same weights bit for bit; memory holds one range (and its
   * standardised rows). Not the in-memory model: that one shuffles all rows at once.
   */
  async trainStreamed(input: StreamedTrainInput): Promise<TrainedModel | undefined> {
    const native = nativeMlp();
    if (!native) return undefined;
    const { data } = input;
    const n = data.n;
    const { standardizer, target: moments } = await streamedMoments(data, input.signal);
    const target = input.task === "regression" ? moments : undefined;
    const prepared = (x: Matrix, y: Float32Array) => ({ rows: standardizedRows(x, data.names, standardizer), t: target ? Float32Array.from(y, (v) => (v - target.mean) / target.std) : y });
    const batchSize = mlpBatchSize(input.params, n);
    const span = Math.min(n, data.rowsPerBlock(batchSize));
    const ranges = Uint32Array.from({ length: Math.ceil(n / span) }, (_, i) => i);
    const validation = input.validation;
    let net: ReturnType<typeof nativeMlpEngine> | undefined;
    return fitMlp(input, data.names, standardizer, target, n, {
      engine: async (config, blocks) => (net = nativeMlpEngine(native, config, blocks, new Float32Array(0), new Float32Array(0))),
      async epoch(_engine, rng, chunk) {
        rng.shuffle(ranges);
        let epochLoss = 0;
        for (const r of ranges) {
          const from = r * span;
          const block = await data.read(from, Math.min(n, from + span));
          const { rows, t } = prepared(block.x, block.y);
          const order = rng.shuffle(Uint32Array.from({ length: block.x.n }, (_, i) => i));
          for (let start = 0; start < order.length; start += chunk) {
            epochLoss += net!.trainOn(rows, t, order, start, Math.min(order.length, start + chunk), rng);
            await yieldToEventLoop();
            throwIfAborted(input.signal);
          }
        }
        return epochLoss;
      },
      valLoss: validation
        ? async (engine) => {
            // The mean over all validation rows from each block's mean.
            let sum = 0;
            await validation.forEach(validation.rowsPerBlock(1), (x, y) => {
              const { rows, t } = prepared(x, y);
              sum += engine.loss(rows, t) * x.n;
            }, input.signal);
            return sum / validation.n;
          }
        : undefined,
    }, "streamed");
  },
  load: build,
};
