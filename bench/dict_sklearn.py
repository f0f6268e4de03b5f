#!/usr/bin/python3
"""scikit-learn's MiniBatchDictionaryLearning on the patches of a benign
dictionary input (/Y, p x m), for bench/dict_synth.sh.

Run with Debian's interpreter (/usr/bin/python3: python3-sklearn,
python3-h5py), not a python3 earlier on PATH that lacks them.

The model is the same as `benign dict --method=synthesis`: per sample
1/2 |y - A x|^2 + alpha |x|_1 with unit-norm atoms (scikit-learn's alpha is
benign's lambda). The dictionary starts, as benign's, from randomly chosen
samples scaled to unit norm; it is trained by partial_fit on shuffled
mini-batches (the same update as fit: LARS codes, Mairal et al.'s running
statistics, one block-coordinate sweep) until --epochs passes or
--time-cap seconds, whichever comes first. At each --checkpoints fraction
of the time cap (and at the end) the dictionary is written as /A_iter and
evaluated by benign itself (--max-iter=0 --init-file: a converged lasso of
every sample), so both are measured with the same objective. As a
cross-check of that evaluation, a random subsample (--check-samples) is
coded for scikit-learn's dictionary and benign's (--ours-dict) both by
scikit-learn's exact lasso (sparse_encode, lasso_lars) and by benign.

Prints one line per evaluation: seconds of training, the mean objective,
and a final summary line.
"""
import argparse
import json
import subprocess
import sys
import time

import h5py
import numpy as np
from sklearn.decomposition import MiniBatchDictionaryLearning, sparse_encode


def evaluate(args, a, tag):
    """The mean objective of dictionary a (m x n) by benign's converged
    lasso; returns (objective, seconds benign took)."""
    path = f"{args.work}/sk_{tag}.h5"
    with h5py.File(path, "w") as f:
        f["A_iter"] = a
    cmd = [args.mpirun, "-n", str(args.np), "--oversubscribe", args.benign,
           "dict", f"--input={args.input}", "--method=synthesis",
           f"--atoms={a.shape[1]}", f"--lambda={args.alpha}",
           f"--init-file={path}", "--max-iter=0", "--codes=none", "--json",
           "--progress=false", f"--output={args.work}/sk_{tag}_eval.h5"]
    t0 = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    j = json.loads(r.stdout.strip().splitlines()[-1])
    return j["synthesis_objective"], time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--benign", required=True)
    ap.add_argument("--mpirun", default="mpirun")
    ap.add_argument("--np", type=int, default=2)
    ap.add_argument("--atoms", type=int, default=256)
    ap.add_argument("--alpha", type=float, default=0.15)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--time-cap", type=float, default=600.0)
    ap.add_argument("--checkpoints", default="0.25,0.5,1")
    ap.add_argument("--target", type=float, default=0.3152)
    ap.add_argument("--ours-seconds", type=float, default=float("nan"))
    ap.add_argument("--check-samples", type=int, default=20000)
    ap.add_argument("--ours-dict", default="",
                    help="benign's result (/A_iter) for the cross-check")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    with h5py.File(args.input, "r") as f:
        y = np.ascontiguousarray(f["Y"][...], dtype=np.float64)
    p, m = y.shape
    rng = np.random.default_rng(args.seed)
    init = y[rng.choice(p, args.atoms, replace=False)].copy()
    init /= np.maximum(np.linalg.norm(init, axis=1, keepdims=True), 1e-12)
    model = MiniBatchDictionaryLearning(
        n_components=args.atoms, alpha=args.alpha, batch_size=args.batch_size,
        fit_algorithm="lars", dict_init=init, random_state=args.seed)
    print(f"scikit-learn MiniBatchDictionaryLearning: p = {p}, m = {m}, "
          f"{args.atoms} atoms, alpha = {args.alpha}, batch {args.batch_size}"
          f", at most {args.epochs} passes or {args.time_cap:.0f} s",
          flush=True)
    marks = sorted(float(c) * args.time_cap for c in args.checkpoints.split(","))
    steps = int(np.ceil(args.epochs * p / args.batch_size))
    train, done, results = 0.0, 0, []
    perm = rng.permutation(p)
    while done < steps:
        k0 = (done * args.batch_size) % p
        idx = perm[k0:k0 + args.batch_size]
        t0 = time.perf_counter()
        model.partial_fit(y[idx])
        train += time.perf_counter() - t0
        done += 1
        last = done == steps or train >= args.time_cap
        if (marks and train >= marks[0]) or last:
            while marks and train >= marks[0]:
                marks.pop(0)
            obj, es = evaluate(args, model.components_.T.copy(), str(done))
            results.append((train, obj, done))
            print(f"sklearn: {train:9.2f} s training, {done} batches "
                  f"({done * args.batch_size / p:.3f} passes): mean objective "
                  f"{obj:.6f} (benign's evaluation, {es:.1f} s)", flush=True)
        if last:
            break
    # Cross-check of benign's evaluation: on one random subsample, the
    # objective of each dictionary by scikit-learn's exact lasso
    # (sparse_encode, lasso_lars) and by benign's evaluation.
    if args.check_samples > 0:
        sub = y[rng.choice(p, min(args.check_samples, p), replace=False)]
        sub_in = args.input
        args.input = f"{args.work}/sk_sub.h5"
        with h5py.File(args.input, "w") as f:
            f["Y"] = sub
        dicts = [("sklearn", model.components_.T.copy())]
        if args.ours_dict:
            with h5py.File(args.ours_dict, "r") as f:
                dicts.append(("benign", f["A_iter"][...]))
        for name, a in dicts:
            code = sparse_encode(sub, a.T.copy(), algorithm="lasso_lars",
                                 alpha=args.alpha)
            sk_obj = np.mean(0.5 * np.sum((sub - code @ a.T) ** 2, axis=1)
                             + args.alpha * np.sum(np.abs(code), axis=1))
            bn_obj, _ = evaluate(args, a, "sub_" + name)
            print(f"cross-check, {name}'s dictionary on {sub.shape[0]} "
                  f"random samples: sparse_encode(lasso_lars) {sk_obj:.6f}, "
                  f"benign's evaluation {bn_obj:.6f}", flush=True)
        args.input = sub_in
    reached = [r for r in results if r[1] <= args.target]
    ours = args.ours_seconds
    if reached:
        t = reached[0][0]
        print(f"SKLEARN_SECONDS_TO_TARGET={t:.2f}")
        print(f"RATIO_SKLEARN_OVER_BENIGN={t / ours:.2f}")
    else:
        t, obj, _ = results[-1]
        print(f"SKLEARN_NOT_REACHED target {args.target} in {t:.2f} s of "
              f"training: best {min(r[1] for r in results):.6f}")
        print(f"RATIO_SKLEARN_OVER_BENIGN>={t / ours:.2f} (sklearn's time "
              f"without reaching the target over benign's time to reach it)")
    sys.exit(0)


if __name__ == "__main__":
    main()
