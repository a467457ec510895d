/**
 * libsvm's SMO solver (Chang & Lin; svm.cpp `Solver`), ported to typed arrays:
 *
 *   min ½αᵀQα + pᵀα  subject to  yᵀα = Δ,  0 ≤ α_i ≤ C_i
 *
 * Each step updates two variables chosen by second-order working-set selection (WSS3, Fan, Chen
 * & Lin 2005); variables stuck at a bound are shrunk out of the active set every min(l, 1000)
 * steps and the full gradient is rebuilt before the final optimality check. Stops when the
 * maximal KKT violation falls below `eps`. The same sequence of steps as libsvm (up to the
 * float summation order of kernel values), so the solutions agree to the tolerance.
 */
import { Pacer } from "../abort.js";
import type { QMatrix } from "./rbf-kernel.js";

const TAU = 1e-12;
const LOWER = 0;
const UPPER = 1;
const FREE = 2;

export interface SmoProblem {
  Q: QMatrix;
  /** Linear term p (−1 for C-SVC). */
  p: Float64Array;
  /** ±1 per variable. */
  y: Int8Array;
  /** Upper bounds for y = +1 and y = −1 variables. */
  cp: number;
  cn: number;
  eps: number;
  maxIter: number;
  shrinking: boolean;
  signal?: AbortSignal;
}

export interface SmoSolution {
  /** α per variable, in the caller's order. */
  alpha: Float64Array;
  rho: number;
  objective: number;
  iterations: number;
}

/** Solves the dual problem; async only so that a long solve yields now and then and can be aborted. */
export async function solveSmo(problem: SmoProblem): Promise<SmoSolution> {
  const solver = new Solver(problem);
  return solver.solve();
}

class Solver {
  private readonly l: number;
  private activeSize: number;
  private readonly y: Int8Array;
  private readonly G: Float64Array;
  private readonly Gbar: Float64Array;
  private readonly status: Uint8Array;
  private readonly alpha: Float64Array;
  private readonly p: Float64Array;
  private readonly activeSet: Int32Array;
  private readonly Q: QMatrix;
  private readonly QD: Float64Array;
  private unshrink = false;
  private readonly pace: Pacer;

  constructor(private readonly problem: SmoProblem) {
    const l = problem.y.length;
    this.pace = new Pacer(problem.signal);
    this.l = l;
    this.activeSize = l;
    this.Q = problem.Q;
    this.QD = problem.Q.diagonal;
    this.y = problem.y.slice();
    this.p = problem.p.slice();
    this.alpha = new Float64Array(l);
    this.status = new Uint8Array(l);
    this.activeSet = Int32Array.from({ length: l }, (_, i) => i);
    this.G = new Float64Array(l);
    this.Gbar = new Float64Array(l);
  }

  private C(i: number): number {
    return this.y[i] > 0 ? this.problem.cp : this.problem.cn;
  }

  private updateStatus(i: number): void {
    const a = this.alpha[i];
    this.status[i] = a >= this.C(i) ? UPPER : a <= 0 ? LOWER : FREE;
  }

  async solve(): Promise<SmoSolution> {
    const { l, alpha, G, p } = this;
    // α starts at 0, so G = p and Ḡ = 0.
    for (let i = 0; i < l; i++) {
      this.updateStatus(i);
      G[i] = p[i];
    }
    const maxIter = this.problem.maxIter;
    let iter = 0;
    let counter = Math.min(l, 1000) + 1;
    const pair = new Int32Array(2);
    while (iter < maxIter) {
      // An iteration costs up to two kernel rows: asking the clock every 16 keeps pauses ~50 ms apart.
      if ((iter & 15) === 0 && this.pace.due()) await this.pace.pause();
      if (--counter === 0) {
        counter = Math.min(l, 1000);
        if (this.problem.shrinking) await this.shrink();
      }
      if (this.selectWorkingSet(pair)) {
        await this.reconstructGradient();
        this.activeSize = l;
        if (this.selectWorkingSet(pair)) break;
        counter = 1;
      }
      iter++;
      this.step(pair[0], pair[1]);
    }
    if (iter >= maxIter && this.activeSize < l) {
      await this.reconstructGradient();
      this.activeSize = l;
    }
    const rho = this.calculateRho();
    let v = 0;
    for (let i = 0; i < l; i++) v += alpha[i] * (G[i] + p[i]);
    const out = new Float64Array(l);
    for (let i = 0; i < l; i++) out[this.activeSet[i]] = alpha[i];
    return { alpha: out, rho, objective: v / 2, iterations: iter };
  }

  /** Moves α_i, α_j along the constraint, clipped to the box, and updates the gradient. */
  private step(i: number, j: number): void {
    const { alpha, y, G, QD, Q } = this;
    const active = this.activeSize;
    let Qi = Q.column(i, active);
    let Qj = Q.column(j, active);
    const Ci = this.C(i);
    const Cj = this.C(j);
    const oldAi = alpha[i];
    const oldAj = alpha[j];
    if (y[i] !== y[j]) {
      let quad = QD[i] + QD[j] + 2 * Qi[j];
      if (quad <= 0) quad = TAU;
      const delta = (-G[i] - G[j]) / quad;
      const diff = alpha[i] - alpha[j];
      alpha[i] += delta;
      alpha[j] += delta;
      if (diff > 0) {
        if (alpha[j] < 0) {
          alpha[j] = 0;
          alpha[i] = diff;
        }
      } else if (alpha[i] < 0) {
        alpha[i] = 0;
        alpha[j] = -diff;
      }
      if (diff > Ci - Cj) {
        if (alpha[i] > Ci) {
          alpha[i] = Ci;
          alpha[j] = Ci - diff;
        }
      } else if (alpha[j] > Cj) {
        alpha[j] = Cj;
        alpha[i] = Cj + diff;
      }
    } else {
      let quad = QD[i] + QD[j] - 2 * Qi[j];
      if (quad <= 0) quad = TAU;
      const delta = (G[i] - G[j]) / quad;
      const sum = alpha[i] + alpha[j];
      alpha[i] -= delta;
      alpha[j] += delta;
      if (sum > Ci) {
        if (alpha[i] > Ci) {
          alpha[i] = Ci;
          alpha[j] = sum - Ci;
        }
      } else if (alpha[j] < 0) {
        alpha[j] = 0;
        alpha[i] = sum;
      }
      if (sum > Cj) {
        if (alpha[j] > Cj) {
          alpha[j] = Cj;
          alpha[i] = sum - Cj;
        }
      } else if (alpha[i] < 0) {
        alpha[i] = 0;
        alpha[j] = sum;
      }
    }
    const dAi = alpha[i] - oldAi;
    const dAj = alpha[j] - oldAj;
    for (let k = 0; k < active; k++) G[k] += Qi[k] * dAi + Qj[k] * dAj;

    const wasUpperI = this.status[i] === UPPER;
    const wasUpperJ = this.status[j] === UPPER;
    this.updateStatus(i);
    this.updateStatus(j);
    const { Gbar, l } = this;
    if (wasUpperI !== (this.status[i] === UPPER)) {
      Qi = Q.column(i, l);
      const s = wasUpperI ? -Ci : Ci;
      for (let k = 0; k < l; k++) Gbar[k] += s * Qi[k];
    }
    if (wasUpperJ !== (this.status[j] === UPPER)) {
      Qj = Q.column(j, l);
      const s = wasUpperJ ? -Cj : Cj;
      for (let k = 0; k < l; k++) Gbar[k] += s * Qj[k];
    }
  }

  /**
   * WSS3: i maximises −y_i∇f_i over I_up; j minimises the second-order decrease −b²/a over I_low
   * with −y_j∇f_j < −y_i∇f_i. Returns true when the violation is below eps (optimal).
   */
  private selectWorkingSet(out: Int32Array): boolean {
    const { y, G, status, QD } = this;
    const active = this.activeSize;
    let Gmax = -Infinity;
    let Gmax2 = -Infinity;
    let GmaxIdx = -1;
    let GminIdx = -1;
    let objDiffMin = Infinity;
    for (let t = 0; t < active; t++) {
      if (y[t] === 1) {
        if (status[t] !== UPPER && -G[t] >= Gmax) {
          Gmax = -G[t];
          GmaxIdx = t;
        }
      } else if (status[t] !== LOWER && G[t] >= Gmax) {
        Gmax = G[t];
        GmaxIdx = t;
      }
    }
    const i = GmaxIdx;
    const Qi = i !== -1 ? this.Q.column(i, active) : null;
    const yi = i !== -1 ? y[i] : 0;
    const QDi = i !== -1 ? QD[i] : 0;
    for (let j = 0; j < active; j++) {
      if (y[j] === 1) {
        if (status[j] !== LOWER) {
          const gradDiff = Gmax + G[j];
          if (G[j] >= Gmax2) Gmax2 = G[j];
          if (gradDiff > 0) {
            const quad = QDi + QD[j] - 2 * yi * Qi![j];
            const objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
            if (objDiff <= objDiffMin) {
              GminIdx = j;
              objDiffMin = objDiff;
            }
          }
        }
      } else if (status[j] !== UPPER) {
        const gradDiff = Gmax - G[j];
        if (-G[j] >= Gmax2) Gmax2 = -G[j];
        if (gradDiff > 0) {
          const quad = QDi + QD[j] + 2 * yi * Qi![j];
          const objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
          if (objDiff <= objDiffMin) {
            GminIdx = j;
            objDiffMin = objDiff;
          }
        }
      }
    }
    if (Gmax + Gmax2 < this.problem.eps || GminIdx === -1) return true;
    out[0] = GmaxIdx;
    out[1] = GminIdx;
    return false;
  }

  private beShrunk(i: number, Gmax1: number, Gmax2: number): boolean {
    const { status, y, G } = this;
    if (status[i] === UPPER) return y[i] === 1 ? -G[i] > Gmax1 : -G[i] > Gmax2;
    if (status[i] === LOWER) return y[i] === 1 ? G[i] > Gmax2 : G[i] > Gmax1;
    return false;
  }

  /** Moves variables that cannot change at this stage out of the active set. */
  private async shrink(): Promise<void> {
    const { y, G, status } = this;
    let Gmax1 = -Infinity;
    let Gmax2 = -Infinity;
    for (let i = 0; i < this.activeSize; i++) {
      if (y[i] === 1) {
        if (status[i] !== UPPER && -G[i] >= Gmax1) Gmax1 = -G[i];
        if (status[i] !== LOWER && G[i] >= Gmax2) Gmax2 = G[i];
      } else {
        if (status[i] !== UPPER && -G[i] >= Gmax2) Gmax2 = -G[i];
        if (status[i] !== LOWER && G[i] >= Gmax1) Gmax1 = G[i];
      }
    }
    if (!this.unshrink && Gmax1 + Gmax2 <= this.problem.eps * 10) {
      this.unshrink = true;
      await this.reconstructGradient();
      this.activeSize = this.l;
    }
    for (let i = 0; i < this.activeSize; i++) {
      if (!this.beShrunk(i, Gmax1, Gmax2)) continue;
      this.activeSize--;
      while (this.activeSize > i) {
        if (!this.beShrunk(this.activeSize, Gmax1, Gmax2)) {
          this.swapIndex(i, this.activeSize);
          break;
        }
        this.activeSize--;
      }
    }
  }

  private swapIndex(i: number, j: number): void {
    this.Q.swapIndex(i, j);
    for (const a of [this.y, this.G, this.status, this.alpha, this.p, this.activeSet, this.Gbar]) {
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** Rebuilds the gradient of shrunk variables from Ḡ and the free variables. */
  private async reconstructGradient(): Promise<void> {
    const { l, G, Gbar, p, alpha, status, Q, pace } = this;
    const active = this.activeSize;
    if (active === l) return;
    for (let j = active; j < l; j++) G[j] = Gbar[j] + p[j];
    let free = 0;
    for (let j = 0; j < active; j++) if (status[j] === FREE) free++;
    if (free * l > 2 * active * (l - active)) {
      for (let i = active; i < l; i++) {
        if (pace.due()) await pace.pause();
        const Qi = Q.column(i, active);
        for (let j = 0; j < active; j++) if (status[j] === FREE) G[i] += alpha[j] * Qi[j];
      }
    } else {
      for (let i = 0; i < active; i++) {
        if (status[i] !== FREE) continue;
        if (pace.due()) await pace.pause();
        const Qi = Q.column(i, l);
        const a = alpha[i];
        for (let j = active; j < l; j++) G[j] += a * Qi[j];
      }
    }
  }

  /** The offset b (libsvm's rho): the mean of y∇f over free variables, else the middle of the feasible range. */
  private calculateRho(): number {
    const { y, G, status } = this;
    let free = 0;
    let ub = Infinity;
    let lb = -Infinity;
    let sumFree = 0;
    for (let i = 0; i < this.activeSize; i++) {
      const yG = y[i] * G[i];
      if (status[i] === UPPER) {
        if (y[i] === -1) ub = Math.min(ub, yG);
        else lb = Math.max(lb, yG);
      } else if (status[i] === LOWER) {
        if (y[i] === 1) ub = Math.min(ub, yG);
        else lb = Math.max(lb, yG);
      } else {
        free++;
        sumFree += yG;
      }
    }
    return free > 0 ? sumFree / free : (ub + lb) / 2;
  }
}
