/**
 * First-order optimisers over plain Float32Array parameter blocks, in the form sklearn's MLP uses.
 * They run in JS (float64 arithmetic, float32 storage) so the update is exact and identical on
 * every tfjs backend; only the gradients come from the backend.
 */
export interface GradientOptimizer {
  /** Applies one update in place: params[i] -= step(grads[i]). */
  step(params: Float32Array[], grads: ArrayLike<number>[]): void;
}

/** Adam (Kingma & Ba) with bias correction folded into the learning rate, as in sklearn. */
export function adam(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8): GradientOptimizer {
  let m: Float64Array[] | undefined;
  let v: Float64Array[] | undefined;
  let t = 0;
  return {
    step(params, grads) {
      m ??= params.map((p) => new Float64Array(p.length));
      v ??= params.map((p) => new Float64Array(p.length));
      t++;
      const rate = (learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      params.forEach((p, k) => {
        const g = grads[k];
        const mk = m![k];
        const vk = v![k];
        for (let i = 0; i < p.length; i++) {
          mk[i] = beta1 * mk[i] + (1 - beta1) * g[i];
          vk[i] = beta2 * vk[i] + (1 - beta2) * g[i] * g[i];
          p[i] -= (rate * mk[i]) / (Math.sqrt(vk[i]) + epsilon);
        }
      });
    },
  };
}

/** Stochastic gradient descent with Nesterov momentum (sklearn's "sgd" defaults). */
export function sgd(learningRate: number, momentum = 0.9): GradientOptimizer {
  let velocity: Float64Array[] | undefined;
  return {
    step(params, grads) {
      velocity ??= params.map((p) => new Float64Array(p.length));
      params.forEach((p, k) => {
        const g = grads[k];
        const vel = velocity![k];
        for (let i = 0; i < p.length; i++) {
          vel[i] = momentum * vel[i] - learningRate * g[i];
          p[i] += momentum * vel[i] - learningRate * g[i];
        }
      });
    },
  };
}
