import { throwIfAborted, yieldToEventLoop } from "./abort.js";
import { booleanParam, choiceParam, numberParam, sizesParam } from "./params.js";
import { mlpScorer, type DenseLayer } from "./scoring/mlp.js";
import { standardizedRows, type Standardizer } from "./scoring/standardize.js";
import { SeededRandom } from "./seeded-random.js";
import { fitStandardizer, targetScale } from "./standardizer.js";
import type { Activation, MlpEngine } from "./mlp-engine.js";
import { nativeMlpEngine } from "./mlp-native.js";
import { nativeMlp } from "./native-engine.js";
import type { HistoryPoint, Learner, ParamValue, SerializedModel, TrainedModel, TrainInput } from "./types.js";

interface MlpState {
  standardizer: Standardizer;
  activation: Activation;
  /** Hidden layers then the output layer (logits, or one standardised value for regression). */
  layers: DenseLayer[];
  target?: { mean: number; std: number };
  history: HistoryPoint[];
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
  const common = { kind: model.kind, featureNames, classes, history: state.history, toJSON: () => model };
  const scorer = mlpScorer(model);
  if (model.task === "regression") return { ...common, task: "regression", predict: scorer.predict };
  return { ...common, task: "classification", predict: scorer.predict, predictProba: scorer.predictProba };
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
    const { x, y, task } = input;
    const n = x.n;
    const batchSize = Math.max(1, Math.min(n, Math.floor(numberParam(params, "batch_size", 200))));
    const featureNames = x.names.length ? x.names : x.columns.map((_, j) => `x${j}`);
    const d = featureNames.length;
    const K = input.classes.length;
    if (task === "classification" && K < 2) throw new Error("neural_network needs at least two classes");
    const outputs = task === "regression" ? 1 : K;
    const standardizer = fitStandardizer(x);
    const target = task === "regression" ? targetScale(y) : undefined;
    const rng = new SeededRandom(input.seed);

    const rows = standardizedRows(x, featureNames, standardizer);
    // Targets as the loss needs them: class index, or the standardised value.
    const t = target ? Float32Array.from(y, (v) => (v - target.mean) / target.std) : y;
    const val = input.validation;
    const valRows = val ? standardizedRows(val.x, featureNames, standardizer) : undefined;
    const valT = val && target ? Float32Array.from(val.y, (v) => (v - target.mean) / target.std) : val?.y;

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
    const config = { sizes, activation, regression: task === "regression", dropout, optimizer: optimizerName, learningRate, momentum, l2, batchSize };
    const native = nativeMlp();
    // TensorFlow.js is loaded only when it trains (no native engine): importing it costs ~0.5 s, which every other learner would pay.
    const engine: MlpEngine = native ? nativeMlpEngine(native, config, blocks, rows, t) : await (await import("./mlp-tfjs.js")).tfjsMlpEngine(config, blocks, rows, t);
    // Losses are reported in the target's own units (MSE of the original target) for regression.
    const lossScale = target ? target.std * target.std : 1;

    const history: HistoryPoint[] = [];
    const order = Uint32Array.from({ length: n }, (_, i) => i);
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
        rng.shuffle(order);
        let epochLoss = 0;
        for (let start = 0; start < n; start += chunk) {
          epochLoss += engine.train(order, start, Math.min(n, start + chunk), rng);
          await yieldToEventLoop();
          throwIfAborted(input.signal);
        }
        const loss = (epochLoss / n) * lossScale;
        const valLoss = valRows && valT ? engine.loss(valRows, valT) * lossScale : undefined;
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
    const state: MlpState = { standardizer, activation, layers, target, history };
    return { ...build({ kind: "neural_network", task, featureNames, classes: input.classes, params, state }), backend: engine.backend };
  },
  load: build,
};
