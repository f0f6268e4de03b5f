/* benign -- umbrella header for the public API (prefix bn_). */
#ifndef BENIGN_H
#define BENIGN_H

#include "benign/checkpoint.h"
#include "benign/ctx.h"
#include "benign/deconv.h"
#include "benign/dense.h"
#include "benign/dist.h"
#include "benign/dmat.h"
#include "benign/error.h"
#include "benign/generate.h"
#include "benign/h5.h"
#include "benign/image.h"
#include "benign/import.h"
#include "benign/json.h"
#include "benign/landscape.h"
#include "benign/objective.h"
#include "benign/opts.h"
#include "benign/patches.h"
#include "benign/paths.h"
#include "benign/plan.h"
#include "benign/plateau.h"
#include "benign/png.h"
#include "benign/problem.h"
#include "benign/recommend.h"
#include "benign/rng.h"
#include "benign/sasd.h"
#include "benign/signal.h"
#include "benign/solver.h"
#include "benign/textout.h"
#include "benign/types.h"

#endif
